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


def load_dump(path):
    """The sink's --dump file, one trace object a line; a line that is not JSON fails."""
    traces = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                try:
                    traces.append(json.loads(line))
                except ValueError as e:
                    raise Failure(f"dump line {number}: not JSON ({e})")
    return traces


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
