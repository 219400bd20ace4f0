"""Process handling shared by the interop drivers (run_interop.py, chain/run_chain.py,
amqp/run_amqp.py): child processes whose stdout lines are awaited with a deadline, stopped with
SIGTERM (killed after a timeout), their output shown on a failure; the environment checks; and
the driver's main: a temporary directory, kept after a failure, and the exit codes.

Standard library only; each driver puts this folder on sys.path and imports it.
"""
import argparse
import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

EXIT_OK, EXIT_MISMATCH, EXIT_ENVIRONMENT = 0, 1, 2


class Failure(Exception):
    """A process under test did not do its part, or what it produced is wrong; exit code 1."""


class EnvironmentProblem(Exception):
    """Something the test needs is not installed; exit code 2."""


class Proc:
    """A child process whose stdout is read by one thread into a queue, so that waiting for a
    line has a deadline; stderr goes to WORKDIR/NAME.stderr. Owned by the driver's main thread."""

    def __init__(self, name, command, workdir, env=None):
        self.name = name
        self.command = command
        self.stdout_lines = []
        self.killed = False  # by this driver, after a failure or a stop timeout
        self._lines = queue.Queue()
        self._stderr = open(Path(workdir) / f"{name}.stderr", "w+", encoding="utf-8")
        self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self._stderr, text=True, bufsize=1, env=env)
        threading.Thread(target=self._read_stdout, daemon=True).start()

    def _read_stdout(self):
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def _next_line(self, timeout_s):
        """The next stdout line, None at its end, False if none came within timeout_s."""
        try:
            line = self._lines.get(timeout=max(timeout_s, 0))
        except queue.Empty:
            return False
        if line is not None:
            self.stdout_lines.append(line)
        return line

    def wait_for(self, pattern, count, timeout_s):
        """Reads stdout until `count` lines matched `pattern`; returns their matches."""
        matches = []
        deadline = time.monotonic() + timeout_s
        while len(matches) < count:
            line = self._next_line(deadline - time.monotonic())
            if line is False:
                raise Failure(f"{self.name} printed no '{pattern.pattern}' line within "
                              f"{timeout_s} s")
            if line is None:
                raise Failure(f"{self.name} exited with code {self.proc.wait()} before "
                              f"printing '{pattern.pattern}'")
            match = pattern.match(line)
            if match:
                matches.append(match)
        return matches

    def stop(self, timeout_s):
        """SIGTERM, then wait; returns the exit code. Kills and fails after timeout_s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
            raise Failure(f"{self.name} did not exit within {timeout_s} s of SIGTERM (killed)")
        while self._next_line(5) not in (None, False):
            pass
        return code

    def stop_ok(self, timeout_s):
        """stop(), and fail unless it exited 0."""
        code = self.stop(timeout_s)
        if code != 0:
            raise Failure(f"{self.name} exited with code {code} after SIGTERM")

    def stderr_text(self):
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read()

    def kill(self):
        if self.proc.poll() is None:
            self.killed = True
            self.proc.kill()
            self.proc.wait()

    def close(self):
        self.kill()
        self._stderr.close()

    def show(self):
        """Prints the command, exit code, stdout and stderr (a failure's evidence)."""
        print(f"--- {self.name}: {' '.join(self.command)}")
        print(f"    exit code: {self.proc.returncode}"
              + (" (killed by the test driver)" if self.killed else ""))
        while self._next_line(0) not in (None, False):
            pass
        print("    stdout:\n" + "\n".join(f"  | {line}" for line in self.stdout_lines))
        err = self.stderr_text()
        if err.strip():
            print("    stderr:\n" + "\n".join(f"  | {line}" for line in err.splitlines()))


def show_all(procs):
    for proc in procs:
        proc.show()


def clean_environment(extra):
    """os.environ less OTEL_* and proxy settings, plus `extra`: nothing from the caller may
    redirect or reshape the export or the sampling; the test controls them."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("OTEL_") and k.lower() not in
           ("http_proxy", "https_proxy", "all_proxy", "grpc_proxy", "no_proxy")}
    env.update(extra)
    return env


def check_binary(path):
    binary = Path(path)
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        raise EnvironmentProblem(f"--traceproof {binary}: no such executable (build it first)")


def check_python(venv, modules, lacks):
    """The venv's python must import `modules`; `lacks` names them in the message if not."""
    python = Path(venv) / "bin" / "python"
    if not python.exists():
        raise EnvironmentProblem(f"{python} missing: run scripts/bootstrap")
    probe = subprocess.run([str(python), "-c", "import " + ", ".join(modules)],
                           capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        raise EnvironmentProblem(f"{python} lacks {lacks}: {probe.stderr.strip()} "
                                 "(run scripts/bootstrap)")


def check_node(node, node_modules, packages):
    if not node:
        raise EnvironmentProblem("node is not on PATH")
    for package in packages:
        if not (Path(node_modules) / package / "package.json").exists():
            raise EnvironmentProblem(f"{node_modules}/{package} missing: run scripts/bootstrap")


def shape_of_spans(spans):
    """roots, orphans, duplicate_span_ids and skewed_spans of a trace's spans, by the sink's
    rules (src/store/trace_shape.cc; src/report/trace_records.cc does the same in C++)."""
    by_id, duplicates = {}, []
    for i, s in enumerate(spans):
        if s.get("span_id") in by_id:
            duplicates.append(s.get("span_id"))
        else:
            by_id[s.get("span_id")] = i
    roots, orphans, skewed = [], [], []
    for i, s in enumerate(spans):
        parent = s.get("parent_span_id") or ""
        if not parent:
            roots.append(s.get("span_id"))
            continue
        j = by_id.get(parent)
        if j is None or j == i:
            orphans.append(s.get("span_id"))
            continue
        p = spans[j]
        if (s.get("start_time_unix_nano", 0) < p.get("start_time_unix_nano", 0)
                or s.get("end_time_unix_nano", 0) > p.get("end_time_unix_nano", 0)):
            skewed.append(s.get("span_id"))
    return {"roots": roots, "orphans": orphans, "duplicate_span_ids": duplicates,
            "skewed_spans": skewed}


def fold_updates(records):
    """One object per trace from dump records: a trace's update records ("update": true, only
    the spans that reached the sink after it was written) are folded into it, its shape is
    recomputed over all its spans, and "late_spans" says how many the updates added. An update
    whose trace is not in the file stays an update."""
    traces, index = [], {}
    for record in records:
        trace_id = record.get("trace_id")
        if not record.get("update") or trace_id not in index:
            # A second whole record of one trace stays separate: readers must see that bug.
            index.setdefault(trace_id, len(traces))
            traces.append(dict(record, spans=list(record.get("spans", []))))
            if not record.get("update"):
                traces[-1]["late_spans"] = 0
            continue
        trace = traces[index[trace_id]]
        trace["spans"].extend(record.get("spans", []))
        trace["late_spans"] = trace.get("late_spans", 0) + len(record.get("spans", []))
        trace["times_completed"] = record.get("times_completed", trace.get("times_completed"))
    for trace in traces:
        # A trace written whole keeps the shape the sink computed (the interop tests check it).
        if not trace.get("update") and trace["late_spans"]:
            trace.update(shape_of_spans(trace["spans"]))
    return traces


def load_dump_records(path):
    """The sink's --dump file as written, one record a line (updates not folded); a line that
    is not JSON fails."""
    records = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except ValueError as e:
                    raise Failure(f"dump line {number}: not JSON ({e})")
    return records


def load_dump(path):
    """The sink's --dump file, one trace object per trace (update records folded in)."""
    return fold_updates(load_dump_records(path))


def driver_parser(doc, kept, venv):
    """The arguments every driver takes: --traceproof, [--venv], --node-modules, --node and
    --keep (`kept`: what the temporary directory holds); a driver adds its own."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--traceproof", required=True, help="path to the traceproof binary")
    if venv:
        parser.add_argument("--venv", default=".venv",
                            help="venv with requirements.txt installed")
    parser.add_argument("--node-modules", default="node_modules",
                        help="node_modules with package-lock.json installed")
    parser.add_argument("--node", default=shutil.which("node"), help="node executable")
    parser.add_argument("--keep", action="store_true",
                        help=f"keep the temporary directory with {kept}")
    return parser


def main_in_workdir(run, args, prefix, test_name, log):
    """Runs run(args, workdir) in a new temporary directory and returns its exit code; an
    EnvironmentProblem is exit code 2. The directory is removed unless --keep or the test
    failed (exit code 1)."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    code = EXIT_ENVIRONMENT
    try:
        code = run(args, workdir)
    except EnvironmentProblem as e:
        print(f"ERROR {test_name}: environment: {e}")
        code = EXIT_ENVIRONMENT
    finally:
        if args.keep or code == EXIT_MISMATCH:
            log(f"files kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return code
