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
import json
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare  # noqa: E402
from procs import (EXIT_ENVIRONMENT, EXIT_MISMATCH, EXIT_OK, EnvironmentProblem,  # noqa: E402
                   Failure, Proc, check_binary, check_node, check_python, clean_environment,
                   driver_parser, main_in_workdir)

HERE = Path(__file__).resolve().parent

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


def log(message):
    print(f"interop: {message}", flush=True)


def sender_command(args, language, protocol, endpoint, expect_out):
    if language == "python":
        python = Path(args.venv) / "bin" / "python"
        return [str(python), str(HERE / "python_sender.py"), "--protocol", protocol,
                "--endpoint", endpoint, "--expect-out", str(expect_out)]
    return [args.node, str(HERE / "node_sender.js"), "--protocol", protocol,
            "--endpoint", endpoint, "--expect-out", str(expect_out)]


def sender_environment(args, variant, language):
    # The test controls the endpoint and the resource.
    env = clean_environment({"OTEL_SERVICE_NAME": f"interop-{variant}",
                             "OTEL_RESOURCE_ATTRIBUTES": RESOURCE_ATTRIBUTES})
    if language == "node":
        env["NODE_PATH"] = str(Path(args.node_modules).resolve())
    return env


def check_environment(args, language, protocol):
    check_binary(args.traceproof)
    if language == "python":
        check_python(args.venv, ["opentelemetry.sdk.trace",
                                 "opentelemetry.exporter.otlp.proto.grpc.trace_exporter",
                                 "opentelemetry.exporter.otlp.proto.http.trace_exporter"],
                     "the OpenTelemetry SDK")
    else:
        check_node(args.node, args.node_modules,
                   ["@opentelemetry/sdk-trace-base", NODE_PACKAGES[protocol]])


def run(args, workdir):
    language, protocol, receiver = VARIANTS[args.variant]
    check_environment(args, language, protocol)
    dump_path = workdir / "dump.jsonl"
    sent_path = workdir / "sent.json"

    sink = Proc("sink", [str(Path(args.traceproof).resolve()), "sink",
                         "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0",
                         "--dump", str(dump_path), "--quiet-ms", "200"], workdir)
    try:
        ports = {m.group(1): int(m.group(2))
                 for m in sink.wait_for(LISTEN_LINE, 2, START_TIMEOUT_S)}
        endpoint = f"http://127.0.0.1:{ports[receiver]}"
        log(f"sink up: grpc :{ports['grpc']}, http :{ports['http']}; "
            f"sending {args.variant} to {endpoint}")
        send(args, language, protocol, endpoint, sent_path)
        sink.stop_ok(STOP_TIMEOUT_S)
        return validate(args, sink, sent_path, dump_path)
    except Failure as e:
        sink.kill()
        print(f"FAIL interop.{args.variant}: {e}")
        sink.show()
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
        sink.show()
        return EXIT_MISMATCH
    sent_traces = len({s["trace_id"] for s in record["spans"]})
    print(f"PASS interop.{args.variant}: {len(record['spans'])} spans in {sent_traces} traces "
          f"match the sink's dump field for field")
    return EXIT_OK


def main():
    parser = driver_parser(__doc__, "the sent record and the dump", venv=True)
    parser.add_argument("--variant", required=True, choices=sorted(VARIANTS))
    args = parser.parse_args()

    return main_in_workdir(run, args, f"traceproof-interop-{args.variant}-",
                           f"interop.{args.variant}", log)


if __name__ == "__main__":
    sys.exit(main())
