#!/usr/bin/env python3
"""Sink completeness with official SDKs at their DEFAULT settings (issue 13, item 5).

  client --100 GET at ~50/s--> python (Flask, official Python SDK) --> node (node:http,
  official JS SDK) --> back (traceproof serve)

Both SDK apps keep their BatchSpanProcessor's own 5 s schedule delay (no OTEL_BSP_SCHEDULE_DELAY),
so one request's spans reach the sink seconds apart. The sink runs with its DEFAULT --quiet-ms
(the point: longer than that delay). While every process still runs (no flush on exit helps),
the dump must come to hold exactly 100 traces of 5 spans each (python SERVER and CLIENT, node
SERVER and CLIENT, back SERVER), one root and no orphan each, and no update record; stopping
everything afterwards must not add one either.

  .venv/bin/python tests/interop/chain/run_sdk_completeness.py --traceproof build/traceproof \
      [--venv .venv] [--node-modules node_modules] [--sink-quiet-ms MS] [--keep]

--sink-quiet-ms 2000 (the old default) shows the bug this guards against: traces split into a
record and update records, and orphans. Exit codes: 0 as expected; 1 not; 2 environment error.
"""
import re
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from procs import (EXIT_MISMATCH, EXIT_OK, Failure, Proc, check_binary,  # noqa: E402
                   check_node, check_python, clean_environment, driver_parser, load_dump,
                   load_dump_records, main_in_workdir, show_all)

HERE = Path(__file__).resolve().parent
REQUESTS = 100
RATE_PER_S = 50
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 30
# The SDKs export within 5 s (their schedule delay) and the sink completes a trace 8 s after its
# last span: 100 traces are written ~15 s after the last request. 45 s bounds a slow machine.
COMPLETE_TIMEOUT_S = 45
SPANS_PER_TRACE = 5

SERVICES_YAML = """\
# Written by tests/interop/chain/run_sdk_completeness.py: the end of the SDK chain.
services:
  back:
    routes:
      "GET /back":
        name: back-handler
        steps:
          - sleep: 1ms
"""
SINK_LISTEN = re.compile(r"^otlp/(grpc|http) listening on 127\.0\.0\.1:(\d+)$")
SERVE_LISTEN = re.compile(r"^service (\w+) listening on 127\.0\.0\.1:(\d+)$")
APP_LISTEN = re.compile(r"^listening on 127\.0\.0\.1:(\d+)$")


def log(message):
    print(f"sdk-completeness: {message}", flush=True)


def free_port():
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def problems_in(records):
    """What is wrong with the dump as written: [] when it holds 100 whole traces once each."""
    problems = []
    updates = [r for r in records if r.get("update")]
    if updates:
        problems.append(f"{len(updates)} update records (late spans), want none: e.g. trace "
                        f"{updates[0].get('trace_id')} got {len(updates[0].get('spans', []))} "
                        "spans after it was written")
    whole = [r for r in records if not r.get("update")]
    ids = [r.get("trace_id") for r in whole]
    if len(whole) != REQUESTS or len(set(ids)) != REQUESTS:
        problems.append(f"{len(whole)} trace records for {len(set(ids))} trace ids, want "
                        f"{REQUESTS} of each")
    for r in whole:
        label = f"trace {r.get('trace_id')}"
        if r.get("orphans"):
            problems.append(f"{label}: orphans {r['orphans']}")
        if len(r.get("roots", [])) != 1:
            problems.append(f"{label}: roots {r.get('roots')}, want one")
        roles = sorted((s.get("service_name"), s.get("kind")) for s in r.get("spans", []))
        want = sorted([("python", "SERVER"), ("python", "CLIENT"), ("node", "SERVER"),
                       ("node", "CLIENT"), ("back", "SERVER")])
        if roles != want:
            problems.append(f"{label}: spans {roles}, want {want}")
    return problems[:20]


def run(args, workdir):
    check_binary(args.traceproof)
    check_python(args.venv, ["flask", "requests", "opentelemetry.sdk.trace",
                             "opentelemetry.instrumentation.requests"],
                 "the OpenTelemetry SDK or instrumentation")
    check_node(args.node, args.node_modules,
               ["@opentelemetry/sdk-trace-node", "@opentelemetry/instrumentation-http"])
    binary = str(Path(args.traceproof).resolve())
    dump_path = workdir / "dump.jsonl"
    procs = []
    try:
        sink_cmd = [binary, "sink", "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0",
                    "--dump", str(dump_path), "--print-trees"]
        if args.sink_quiet_ms:
            sink_cmd += ["--quiet-ms", str(args.sink_quiet_ms)]
        sink = Proc("sink", sink_cmd, workdir)
        procs.append(sink)
        ports = {m.group(1): int(m.group(2))
                 for m in sink.wait_for(SINK_LISTEN, 2, START_TIMEOUT_S)}
        endpoint = f"http://127.0.0.1:{ports['http']}"

        services = workdir / "back.yaml"
        services.write_text(SERVICES_YAML)
        serve = Proc("serve", [binary, "serve", str(services), "--otlp-endpoint",
                               f"127.0.0.1:{ports['grpc']}", "--otlp-protocol", "grpc",
                               "--duration", "110"], workdir, env=clean_environment({}))
        procs.append(serve)
        back = {m.group(1): int(m.group(2))
                for m in serve.wait_for(SERVE_LISTEN, 1, START_TIMEOUT_S)}["back"]

        node_port, python_port = free_port(), free_port()
        node = Proc("node (official JS SDK, defaults)",
                    [args.node, str(HERE / "node_app.js"), "--port", str(node_port),
                     "--next", f"http://127.0.0.1:{back}/back", "--endpoint", endpoint,
                     "--service", "node", "--sdk-defaults", "1"], workdir,
                    env=clean_environment({"NODE_PATH": str(Path(args.node_modules).resolve())}))
        procs.append(node)
        node.wait_for(APP_LISTEN, 1, START_TIMEOUT_S)
        python = Proc("python (official Python SDK, defaults)",
                      [str(Path(args.venv) / "bin" / "python"), str(HERE / "python_app.py"),
                       "--port", str(python_port), "--next", f"http://127.0.0.1:{node_port}/",
                       "--endpoint", endpoint, "--service", "python", "--sdk-defaults"],
                      workdir, env=clean_environment({}))
        procs.append(python)
        python.wait_for(APP_LISTEN, 1, START_TIMEOUT_S)
        log(f"sink :{ports['grpc']}/:{ports['http']} (quiet-ms "
            f"{args.sink_quiet_ms or 'default'}), python :{python_port} -> node :{node_port} -> "
            f"back :{back}")

        start = time.monotonic()
        for i in range(REQUESTS):  # on schedule, ~50/s
            time.sleep(max(0.0, start + i / RATE_PER_S - time.monotonic()))
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{python_port}/checkout",
                                            timeout=10) as response:
                    if response.status != 200:
                        raise Failure(f"request {i}: status {response.status}")
            except (urllib.error.URLError, OSError) as e:
                raise Failure(f"request {i}: {e}")
        log(f"{REQUESTS} requests in {time.monotonic() - start:.1f} s; waiting for the sink to "
            "write them, everything still running")

        deadline = time.monotonic() + COMPLETE_TIMEOUT_S
        while time.monotonic() < deadline:
            if dump_path.exists() and sum(1 for _ in dump_path.open()) >= REQUESTS:
                break
            time.sleep(0.5)
        written_s = time.monotonic() - start
        time.sleep(2)  # anything split would show as an update soon after
        for proc in (python, node, serve, sink):
            proc.stop_ok(STOP_TIMEOUT_S)
        records = load_dump_records(dump_path) if dump_path.exists() else []
        problems = problems_in(records)
        folded = load_dump(dump_path) if dump_path.exists() else []
        if not problems and len(folded) != REQUESTS:
            problems.append(f"folding gives {len(folded)} traces, want {REQUESTS}")
        if problems:
            print(f"FAIL interop.sdk_completeness: {len(problems)} problems:")
            for p in problems:
                print(f"  - {p}")
            show_all(procs)
            return EXIT_MISMATCH
        print(f"PASS interop.sdk_completeness: {REQUESTS} traces of {SPANS_PER_TRACE} spans "
              f"through the official Python and JS SDKs at their default export delay, each "
              f"written once, whole ({written_s:.1f} s after the first request), no orphans, "
              "no update records")
        return EXIT_OK
    except Failure as e:
        for proc in procs:
            proc.kill()
        print(f"FAIL interop.sdk_completeness: {e}")
        show_all(procs)
        return EXIT_MISMATCH
    finally:
        for proc in procs:
            proc.close()


def main():
    parser = driver_parser(__doc__, "the dump", venv=True)
    parser.add_argument("--sink-quiet-ms", type=int, default=0,
                        help="pass --quiet-ms to the sink (default: the sink's own default)")
    args = parser.parse_args()
    return main_in_workdir(run, args, "traceproof-sdk-completeness-",
                           "interop.sdk_completeness", log)


if __name__ == "__main__":
    sys.exit(main())
