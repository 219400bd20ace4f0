#!/usr/bin/env python3
"""SDK chain test: a span context made by an official OpenTelemetry SDK round-trips through our
mock services.

  client --traceparent+tracestate--> front (traceproof serve) --> middle (an app traced by the
  official Node or Python SDK) --> back (traceproof serve)

All on 127.0.0.1; every span goes to one `traceproof sink --dump --print-trees`. Then:
  --fault none: one request makes exactly ONE connected trace, the client's trace id:
      front SERVER (child of the client's traceparent) -> front CLIENT -> middle SERVER ->
      middle CLIENT -> back SERVER, each the child of the one before, every span carrying the
      client's tracestate. So the SDK extracted our traceparent/tracestate and injected its
      own, and our service extracted the SDK's.
  --fault drop: front has a drop_traceparent fault for its calls to middle, so there must be
      TWO traces: front's alone (the client's trace id) and a new one rooted at middle SERVER
      with back SERVER under middle CLIENT. This proves the check above would notice a break.
The middle app's own log of the headers it received and sent is checked against the dump too.

  .venv/bin/python tests/interop/chain/run_chain.py --traceproof build/traceproof \
      --app node|python --fault none|drop [--venv .venv] [--node-modules node_modules] [--keep]

Exit codes: 0 the traces are as expected; 1 they are not, or a process failed (the problems,
the trees the sink got and every process's output are printed); 2 environment error (missing
binary, venv or node_modules: run scripts/bootstrap and build first).

The driver itself uses only the standard library.
"""
import re
import secrets
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from procs import (EXIT_MISMATCH, EXIT_OK, Failure, Proc, check_binary,  # noqa: E402
                   check_node, check_python, clean_environment, driver_parser, load_dump,
                   main_in_workdir, show_all)

HERE = Path(__file__).resolve().parent

START_TIMEOUT_S = 30
REQUEST_TIMEOUT_S = 20
STOP_TIMEOUT_S = 30
# Longer than the whole test: the sink completes (dumps) every trace only at SIGTERM, after
# every exporter has flushed, so a late batch can never split a trace into two dump objects.
SINK_QUIET_MS = 600000

# The tracestate the client sends to front; every span of the chain must carry it.
TRACESTATE = "traceproof=chain,congo=t61rcWkgMzE"

SERVICES_YAML = """\
# Written by tests/interop/chain/run_chain.py: front -> middle (external SDK app) -> back.
services:
  front:
    routes:
      "GET /front":
        name: front-handler
        steps:
          - call: {{ to: "middle GET /middle", name: call-middle }}
  middle:
    external: "127.0.0.1:{middle_port}"
  back:
    routes:
      "GET /back":
        name: back-handler
        steps:
          - sleep: 1ms
{faults}"""
DROP_FAULT = """\
faults:
  - { service: front, drop_traceparent: true, to: middle }
"""

# The five spans of one request, by (service.name, kind), in chain order.
ROLES = [("front", "SERVER"), ("front", "CLIENT"), ("middle", "SERVER"), ("middle", "CLIENT"),
         ("back", "SERVER")]

SINK_LISTEN = re.compile(r"^otlp/(grpc|http) listening on 127\.0\.0\.1:(\d+)$")
SERVE_LISTEN = re.compile(r"^service (\w+) listening on 127\.0\.0\.1:(\d+)$")
APP_LISTEN = re.compile(r"^listening on 127\.0\.0\.1:(\d+)$")
APP_REQUEST = re.compile(r"in: traceparent=(\S+) tracestate=(\S+) out: traceparent=(\S+) "
                         r"tracestate=(\S+) -> (\d+)$")


def log(message):
    print(f"chain: {message}", flush=True)


def free_port():
    """A loopback port free right now (the SDK app's, which must be in the services file before
    either is started)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_command(args, port, next_url, endpoint):
    if args.app == "python":
        return [str(Path(args.venv) / "bin" / "python"), str(HERE / "python_app.py"),
                "--port", str(port), "--next", next_url, "--endpoint", endpoint]
    return [args.node, str(HERE / "node_app.js"), "--port", str(port), "--next", next_url,
            "--endpoint", endpoint]


def check_environment(args):
    check_binary(args.traceproof)
    if args.app == "python":
        check_python(args.venv, ["flask", "requests", "opentelemetry.sdk.trace",
                                 "opentelemetry.exporter.otlp.proto.http.trace_exporter",
                                 "opentelemetry.instrumentation.wsgi",
                                 "opentelemetry.instrumentation.requests"],
                     "the OpenTelemetry SDK or instrumentation")
    else:
        check_node(args.node, args.node_modules,
                   ["@opentelemetry/sdk-trace-node", "@opentelemetry/instrumentation-http",
                    "@opentelemetry/exporter-trace-otlp-proto"])


def check_traces(traces, fault, trace_id, parent_id, tracestate):
    """Problems with the dumped traces for one request to front, [] when they are as expected.
    `trace_id`/`parent_id`/`tracestate`: what the client sent to front."""
    problems = []
    spans = [s for t in traces for s in t.get("spans", [])]
    by_role = {}
    for s in spans:
        role = (s.get("service_name"), s.get("kind"))
        if role not in ROLES:
            problems.append(f"unexpected span {s.get('name')!r} ({role[0]} {role[1]})")
        elif role in by_role:
            problems.append(f"two {role[0]} {role[1]} spans: {by_role[role].get('name')!r} "
                            f"and {s.get('name')!r}")
        else:
            by_role[role] = s
    missing = [f"{svc} {kind}" for svc, kind in ROLES if (svc, kind) not in by_role]
    if missing:
        problems.append(f"missing spans: {', '.join(missing)}")
        return problems
    f_s, f_c, m_s, m_c, b_s = (by_role[r] for r in ROLES)

    def label(s):
        return f"{s['service_name']} {s['kind']} {s['name']!r} [{s['span_id']}]"

    def want_parent(child, parent_span_id, what):
        if child["parent_span_id"] != parent_span_id:
            problems.append(f"{label(child)}: parent_span_id {child['parent_span_id']!r}, "
                            f"want {parent_span_id!r} ({what})")

    def want_trace(s, tid, what):
        if s["trace_id"] != tid:
            problems.append(f"{label(s)}: trace_id {s['trace_id']}, want {tid} ({what})")

    def want_state(s, state, what):
        if s.get("trace_state") != state:
            problems.append(f"{label(s)}: trace_state {s.get('trace_state')!r}, want "
                            f"{state!r} ({what})")

    # front: the same in both variants.
    want_trace(f_s, trace_id, "the client's traceparent")
    want_parent(f_s, parent_id, "the client's traceparent")
    want_trace(f_c, trace_id, "front's own trace")
    want_parent(f_c, f_s["span_id"], "front SERVER")
    for s in (f_s, f_c):
        want_state(s, tracestate, "the client's tracestate")
    # middle's client span and back: in the SDK app's trace.
    want_trace(m_c, m_s["trace_id"], "middle SERVER's trace")
    want_parent(m_c, m_s["span_id"], "middle SERVER")
    want_trace(b_s, m_c["trace_id"], "the SDK injected traceparent")
    want_parent(b_s, m_c["span_id"], "the traceparent middle's SDK injected")

    trace_ids = sorted({s["trace_id"] for s in spans})
    objects = sorted(t.get("trace_id") for t in traces)
    if fault == "none":
        want_trace(m_s, trace_id, "the traceparent front injected")
        want_parent(m_s, f_c["span_id"], "front CLIENT, whose traceparent the SDK extracted")
        for s in (m_s, m_c, b_s):
            want_state(s, tracestate, "carried by the SDK and back")
        if trace_ids != [trace_id]:
            problems.append(f"want ONE trace {trace_id}, spans are in {len(trace_ids)}: "
                            f"{trace_ids}")
        if objects != [trace_id]:
            problems.append(f"want the sink to dump ONE trace {trace_id}, it dumped {objects}")
    else:
        if m_s["trace_id"] == trace_id:
            problems.append(f"{label(m_s)}: in front's trace {trace_id} although front "
                            "dropped the traceparent")
        want_parent(m_s, "", "a new root: front sent no traceparent")
        for s in (m_s, m_c, b_s):
            want_state(s, "", "no tracestate without a traceparent")
        want = sorted({trace_id, m_s["trace_id"]})
        if len(trace_ids) != 2 or trace_ids != want:
            problems.append(f"want TWO traces {want}, spans are in {len(trace_ids)}: "
                            f"{trace_ids}")
        if objects != want:
            problems.append(f"want the sink to dump TWO traces {want}, it dumped {objects}")
    return problems


def check_app_log(app_lines, fault, by_role):
    """The SDK app's own report of the headers it got and sent, against the dumped spans."""
    requests = [m for m in map(APP_REQUEST.search, app_lines) if m]
    if len(requests) != 1:
        return [f"middle app logged {len(requests)} requests, want 1"]
    got_tp, got_ts, sent_tp, sent_ts, status = requests[0].groups()
    problems = []
    f_c, m_c = by_role.get(("front", "CLIENT")), by_role.get(("middle", "CLIENT"))
    if not f_c or not m_c:
        return problems  # already reported by check_traces

    def same_context(traceparent, span):
        # 00-TRACE-SPAN-FLAGS with the sampled bit set. Other flag bits may differ: the Python
        # SDK sets 0x02 (W3C level 2 "random trace id") on the traces it starts.
        parts = traceparent.split("-")
        return (len(parts) == 4 and parts[:3] == ["00", span["trace_id"], span["span_id"]]
                and re.fullmatch(r"[0-9a-f]{2}", parts[3]) is not None
                and int(parts[3], 16) & 1 == 1)

    if fault == "drop":
        if got_tp != "-" or got_ts != "-":
            problems.append(f"middle app received traceparent {got_tp} tracestate {got_ts}, "
                            "want none (front drops them)")
    else:
        if not same_context(got_tp, f_c):
            problems.append(f"middle app received traceparent {got_tp}, want 00-"
                            f"{f_c['trace_id']}-{f_c['span_id']}-01 (front CLIENT span)")
        if got_ts != TRACESTATE:
            problems.append(f"middle app received tracestate {got_ts}, want {TRACESTATE}")
        if sent_ts != TRACESTATE:
            problems.append(f"middle app sent tracestate {sent_ts}, want {TRACESTATE}")
    if not same_context(sent_tp, m_c):
        problems.append(f"middle app sent traceparent {sent_tp}, want 00-{m_c['trace_id']}-"
                        f"{m_c['span_id']}-01 (its CLIENT span)")
    if status != "200":
        problems.append(f"back answered the middle app {status}")
    return problems


def run(args, workdir):
    check_environment(args)
    binary = str(Path(args.traceproof).resolve())
    dump_path = workdir / "dump.jsonl"
    procs = []
    try:
        sink = Proc("sink", [binary, "sink", "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0",
                             "--dump", str(dump_path), "--print-trees",
                             "--quiet-ms", str(SINK_QUIET_MS)], workdir)
        procs.append(sink)
        ports = {m.group(1): int(m.group(2))
                 for m in sink.wait_for(SINK_LISTEN, 2, START_TIMEOUT_S)}

        middle_port = free_port()
        services = workdir / "chain.yaml"
        services.write_text(SERVICES_YAML.format(
            middle_port=middle_port, faults=DROP_FAULT if args.fault == "drop" else ""))
        serve = Proc("serve", [binary, "serve", str(services), "--otlp-endpoint",
                               f"127.0.0.1:{ports['grpc']}", "--otlp-protocol", "grpc",
                               "--duration", "110"], workdir, env=clean_environment({}))
        procs.append(serve)
        listening = {m.group(1): int(m.group(2))
                     for m in serve.wait_for(SERVE_LISTEN, 2, START_TIMEOUT_S)}

        env = clean_environment(
            {"NODE_PATH": str(Path(args.node_modules).resolve())} if args.app == "node" else {})
        app = Proc(f"middle ({args.app} SDK app)",
                   app_command(args, middle_port, f"http://127.0.0.1:{listening['back']}/back",
                               f"http://127.0.0.1:{ports['http']}"), workdir, env=env)
        procs.append(app)
        app.wait_for(APP_LISTEN, 1, START_TIMEOUT_S)
        log(f"sink grpc :{ports['grpc']} http :{ports['http']}; front :{listening['front']}, "
            f"middle ({args.app}) :{middle_port}, back :{listening['back']}; "
            f"fault: {args.fault}")

        trace_id, parent_id = secrets.token_hex(16), secrets.token_hex(8)
        traceparent = f"00-{trace_id}-{parent_id}-01"
        request = urllib.request.Request(
            f"http://127.0.0.1:{listening['front']}/front",
            headers={"traceparent": traceparent, "tracestate": TRACESTATE})
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as response:
                status, body = response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read().decode(errors="replace")
        except OSError as e:
            raise Failure(f"GET /front failed: {e}")
        log(f"GET /front with traceparent {traceparent}, tracestate {TRACESTATE}: {status}")
        if status != 200:
            raise Failure(f"GET /front answered {status}: {body.strip()}")

        # Every exporter flushes on SIGTERM; the sink dumps every trace on its own SIGTERM.
        for proc in (serve, app, sink):
            proc.stop_ok(STOP_TIMEOUT_S)
        if not dump_path.exists():
            raise Failure(f"sink exited 0 but wrote no --dump file {dump_path}")

        traces = load_dump(dump_path)
        problems = check_traces(traces, args.fault, trace_id, parent_id, TRACESTATE)
        by_role = {(s.get("service_name"), s.get("kind")): s
                   for t in traces for s in t.get("spans", [])}
        problems += check_app_log(app.stdout_lines, args.fault, by_role)
        if args.fault == "drop" and not problems:
            # The point of the drop variant: the one-trace check must reject this dump.
            missed = check_traces(traces, "none", trace_id, parent_id, TRACESTATE)
            if not missed:
                problems.append("the one-connected-trace check (--fault none) accepts the "
                                "broken chain; it would not notice a dropped traceparent")
            else:
                log(f"the one-connected-trace check rejects this dump, as it must: "
                    f"{missed[0]} (and {len(missed) - 1} more)")
        name = f"interop.chain.{args.app}" + ("_drop" if args.fault == "drop" else "")
        if problems:
            print(f"FAIL {name}: {len(problems)} problems:")
            for p in problems:
                print(f"  - {p}")
            show_all(procs)
            return EXIT_MISMATCH
        if args.fault == "none":
            print(f"PASS {name}: one trace {trace_id}: front SERVER -> front CLIENT -> "
                  f"middle ({args.app} SDK) SERVER -> middle CLIENT -> back SERVER, parent ids "
                  f"linked and tracestate {TRACESTATE!r} on every span")
        else:
            print(f"PASS {name}: drop_traceparent front -> middle splits the chain into two "
                  f"traces: front's {trace_id} and the SDK's {by_role[('middle', 'SERVER')]['trace_id']} "
                  f"(middle SERVER root -> middle CLIENT -> back SERVER)")
        in_tree = False
        for line in sink.stdout_lines:  # the trees as the sink printed them
            in_tree = line.startswith("trace ") or (in_tree and line.strip() != "")
            if in_tree:
                print(f"  | {line}")
        return EXIT_OK
    except Failure as e:
        for proc in procs:
            proc.kill()
        print(f"FAIL interop.chain.{args.app} ({args.fault}): {e}")
        show_all(procs)
        return EXIT_MISMATCH
    finally:
        for proc in procs:
            proc.close()


def main():
    parser = driver_parser(__doc__, "the services file and the dump", venv=True)
    parser.add_argument("--app", required=True, choices=["node", "python"],
                        help="which official SDK runs the middle service")
    parser.add_argument("--fault", default="none", choices=["none", "drop"],
                        help="drop: front drops the traceparent on its call to middle")
    args = parser.parse_args()

    return main_in_workdir(run, args, f"traceproof-chain-{args.app}-{args.fault}-",
                           f"interop.chain.{args.app}", log)


if __name__ == "__main__":
    sys.exit(main())
