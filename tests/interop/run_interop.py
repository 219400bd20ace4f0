#!/usr/bin/env python3
"""Interop test: an official OpenTelemetry SDK exports to `traceproof sink`, and the sink's dump
must hold exactly the spans the SDK says it sent.

One run is one test case with the testbed lifecycle: start the sink (the process under test) on
free loopback ports -> run the data sender (python_sender.py or node_sender.js with the variant's
exporter) -> stop the sink with SIGTERM, which completes every trace and writes the dump ->
validate the dump against the sender's own record (compare.py) -> report.

  python3 tests/interop/run_interop.py --traceproof build/traceproof \
      --variant python-grpc|python-http|node-grpc|node-proto|node-json \
      --venv .venv --node-modules node_modules

Exit codes: 0 the dump matches what was sent; 1 it does not, or the sink or sender failed
(the differences and process output are printed); 2 environment error (missing binary, venv or
node_modules: run scripts/bootstrap and build first).

The driver itself uses only the standard library.
"""
import argparse
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare  # noqa: E402

HERE = Path(__file__).resolve().parent
EXIT_OK, EXIT_MISMATCH, EXIT_ENVIRONMENT = 0, 1, 2

# variant -> (language, protocol, which sink receiver it talks to)
VARIANTS = {
    "python-grpc": ("python", "grpc", "grpc"),
    "python-http": ("python", "http/protobuf", "http"),
    "node-grpc": ("node", "grpc", "grpc"),
    "node-proto": ("node", "http/protobuf", "http"),
    "node-json": ("node", "http/json", "http"),
}
NODE_PACKAGES = {
    "grpc": "@opentelemetry/exporter-trace-otlp-grpc",
    "http/protobuf": "@opentelemetry/exporter-trace-otlp-proto",
    "http/json": "@opentelemetry/exporter-trace-otlp-http",
}
RESOURCE_ATTRIBUTES = "deployment.environment=interop,service.version=1.2.3"
LISTEN_LINE = re.compile(r"^otlp/(grpc|http) listening on 127\.0\.0\.1:(\d+)$")

START_TIMEOUT_S = 30
SENDER_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30


class Failure(Exception):
    """The process under test or a sender did not do its part; exit code 1."""


class EnvironmentProblem(Exception):
    """Something the test needs is not installed; exit code 2."""


def log(message):
    print(f"interop: {message}", flush=True)


class Sink:
    """`traceproof sink` as a child process. Its stdout is read by one thread into a queue so
    that waiting for the listen lines has a deadline; owned by the driver's main thread."""

    def __init__(self, binary, dump_path, stderr_path):
        self.command = [binary, "sink", "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0",
                        "--dump", str(dump_path), "--quiet-ms", "200"]
        self._stderr = open(stderr_path, "w+", encoding="utf-8")
        self.stdout_lines = []
        self.killed = False  # by this driver, after a failure or a stop timeout
        self._lines = queue.Queue()
        self.proc = subprocess.Popen(self.command, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=self._stderr, text=True,
                                     bufsize=1)
        threading.Thread(target=self._read_stdout, daemon=True).start()

    def _read_stdout(self):
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def wait_for_ports(self, timeout_s):
        ports = {}
        deadline = time.monotonic() + timeout_s
        while len(ports) < 2:
            remaining = deadline - time.monotonic()
            try:
                line = self._lines.get(timeout=max(remaining, 0))
            except queue.Empty:
                raise Failure(f"sink printed no listen lines within {timeout_s} s")
            if line is None:
                raise Failure(f"sink exited with code {self.proc.wait()} before listening")
            self.stdout_lines.append(line)
            match = LISTEN_LINE.match(line)
            if match:
                ports[match.group(1)] = int(match.group(2))
        return ports

    def stop(self, timeout_s):
        """SIGTERM, then wait; returns the exit code. Kills and fails after timeout_s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
            raise Failure(f"sink did not exit within {timeout_s} s of SIGTERM (killed)")
        self._drain_stdout()
        return code

    def _drain_stdout(self):
        while True:
            try:
                line = self._lines.get(timeout=5)
            except queue.Empty:
                return
            if line is None:
                return
            self.stdout_lines.append(line)

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


def sender_command(args, language, protocol, endpoint, expect_out):
    if language == "python":
        python = Path(args.venv) / "bin" / "python"
        return [str(python), str(HERE / "python_sender.py"), "--protocol", protocol,
                "--endpoint", endpoint, "--expect-out", str(expect_out)]
    return [args.node, str(HERE / "node_sender.js"), "--protocol", protocol,
            "--endpoint", endpoint, "--expect-out", str(expect_out)]


def sender_environment(args, variant, language):
    # Nothing from the caller's OTEL_* or proxy settings may redirect or reshape the export:
    # the test controls the endpoint and the resource.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("OTEL_") and k.lower() not in
           ("http_proxy", "https_proxy", "all_proxy", "grpc_proxy", "no_proxy")}
    env["OTEL_SERVICE_NAME"] = f"interop-{variant}"
    env["OTEL_RESOURCE_ATTRIBUTES"] = RESOURCE_ATTRIBUTES
    if language == "node":
        env["NODE_PATH"] = str(Path(args.node_modules).resolve())
    return env


def check_environment(args, language, protocol):
    binary = Path(args.traceproof)
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        raise EnvironmentProblem(f"--traceproof {binary}: no such executable (build it first)")
    if language == "python":
        python = Path(args.venv) / "bin" / "python"
        if not python.exists():
            raise EnvironmentProblem(f"{python} missing: run scripts/bootstrap")
        probe = subprocess.run([str(python), "-c", "import opentelemetry.sdk.trace, "
                                "opentelemetry.exporter.otlp.proto.grpc.trace_exporter, "
                                "opentelemetry.exporter.otlp.proto.http.trace_exporter"],
                               capture_output=True, text=True, timeout=60)
        if probe.returncode != 0:
            raise EnvironmentProblem(f"{python} lacks the OpenTelemetry SDK: "
                                     f"{probe.stderr.strip()} (run scripts/bootstrap)")
    else:
        if not args.node:
            raise EnvironmentProblem("node is not on PATH")
        for package in ("@opentelemetry/sdk-trace-base", NODE_PACKAGES[protocol]):
            if not (Path(args.node_modules) / package / "package.json").exists():
                raise EnvironmentProblem(f"{args.node_modules}/{package} missing: "
                                         "run scripts/bootstrap")


def run(args, workdir):
    language, protocol, receiver = VARIANTS[args.variant]
    check_environment(args, language, protocol)
    dump_path = workdir / "dump.jsonl"
    sent_path = workdir / "sent.json"

    sink = Sink(str(Path(args.traceproof).resolve()), dump_path, workdir / "sink.stderr")
    try:
        ports = sink.wait_for_ports(START_TIMEOUT_S)
        endpoint = f"http://127.0.0.1:{ports[receiver]}"
        log(f"sink up: grpc :{ports['grpc']}, http :{ports['http']}; "
            f"sending {args.variant} to {endpoint}")
        send(args, language, protocol, endpoint, sent_path)
        code = sink.stop(STOP_TIMEOUT_S)
        if code != 0:
            raise Failure(f"sink exited with code {code} after SIGTERM")
        return validate(args, sink, sent_path, dump_path)
    except Failure as e:
        sink.kill()
        print(f"FAIL interop.{args.variant}: {e}")
        show_sink_output(sink)
        return EXIT_MISMATCH
    finally:
        sink.close()


def send(args, language, protocol, endpoint, sent_path):
    command = sender_command(args, language, protocol, endpoint, sent_path)
    try:
        sender = subprocess.run(command, env=sender_environment(args, args.variant, language),
                                stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                timeout=SENDER_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise Failure(f"sender did not finish within {SENDER_TIMEOUT_S} s: {' '.join(command)}")
    sys.stdout.write(sender.stdout)
    if sender.returncode == EXIT_ENVIRONMENT:
        raise EnvironmentProblem(f"sender: {sender.stderr.strip()}")
    if sender.returncode != 0:
        raise Failure(f"sender exited with {sender.returncode}:\n{sender.stderr}")


def validate(args, sink, sent_path, dump_path):
    record = json.loads(sent_path.read_text(encoding="utf-8"))
    if not dump_path.exists():
        raise Failure(f"sink exited 0 but wrote no --dump file {dump_path}")
    traces, problems = compare.load_dump(dump_path)
    diffs = problems + compare.compare(record["spans"], traces)
    sender = record["sender"]
    log(f"sender: {sender['sdk']}, {sender['exporter']} ({sender['protocol']})")
    if diffs:
        print(f"FAIL interop.{args.variant}: {len(diffs)} differences between what the SDK sent "
              f"and the sink's dump:")
        for d in diffs:
            print(f"  - {d}")
        show_sink_output(sink)
        return EXIT_MISMATCH
    sent_traces = len({s["trace_id"] for s in record["spans"]})
    print(f"PASS interop.{args.variant}: {len(record['spans'])} spans in {sent_traces} traces "
          f"match the sink's dump field for field")
    return EXIT_OK


def show_sink_output(sink):
    print(f"sink command: {' '.join(sink.command)}")
    print(f"sink exit code: {sink.proc.returncode}"
          + (" (killed by the test driver)" if sink.killed else ""))
    print("sink stdout:\n" + "\n".join(f"  | {line}" for line in sink.stdout_lines))
    err = sink.stderr_text()
    if err.strip():
        print("sink stderr:\n" + "\n".join(f"  | {line}" for line in err.splitlines()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--traceproof", required=True, help="path to the traceproof binary")
    parser.add_argument("--variant", required=True, choices=sorted(VARIANTS))
    parser.add_argument("--venv", default=".venv", help="venv with requirements.txt installed")
    parser.add_argument("--node-modules", default="node_modules",
                        help="node_modules with package-lock.json installed")
    parser.add_argument("--node", default=shutil.which("node"), help="node executable")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary directory with the sent record and the dump")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix=f"traceproof-interop-{args.variant}-"))
    code = EXIT_ENVIRONMENT
    try:
        code = run(args, workdir)
    except EnvironmentProblem as e:
        print(f"ERROR interop.{args.variant}: environment: {e}")
        code = EXIT_ENVIRONMENT
    finally:
        if args.keep or code == EXIT_MISMATCH:
            log(f"files kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
