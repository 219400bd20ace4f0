#!/usr/bin/env python3
"""AMQP interop test: trace context crosses a real RabbitMQ between our mock services and a Node
app instrumented with the official @opentelemetry/instrumentation-amqplib, in either direction.

  --direction node_consumer: our mock producer -> RabbitMQ -> Node consumer
      `traceproof serve` runs `orders`, whose POST /orders publishes to order.created (PRODUCER
      span "publish order.created", traceparent in the AMQP headers); the Node app consumes the
      queue with amqplib (not a mock service: an external consumer of the broker). The test
      POSTs N orders.
  --direction node_producer: Node producer -> RabbitMQ -> our mock consumer
      the Node app publishes N messages with amqplib (PRODUCER span "publish <default>", the
      instrumentation injects traceparent); `fulfilment`'s consumer processes them.

The broker is `traceproof broker` (the RabbitMQ that `broker: rabbitmq` starts for a run: own
node, data dir and loopback ports); every span goes to one `traceproof sink --dump`. Then, for
each of the N messages: exactly one PRODUCER span and one CONSUMER span, the consumer span in
the producer's trace and its child (instrumentation-amqplib's default, and ours with
`queues: { expect: child }`), no span links needed; every producer span matched exactly once.
In node_consumer, the headers the Node app logged must name our producer spans.

  python3 tests/interop/amqp/run_amqp.py --traceproof build/traceproof \
      --direction node_consumer|node_producer [--node-modules node_modules] [--count N] [--keep]

Exit codes: 0 the traces are connected; 1 they are not, or a process failed (the problems and
every process's output are printed); 2 environment error (missing binary or node_modules: run
scripts/bootstrap and build first). Every process started here is stopped before exit, the
broker last. The driver itself uses only the standard library.
"""
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from procs import (EXIT_MISMATCH, EXIT_OK, Failure, Proc, check_binary,  # noqa: E402
                   check_node, clean_environment, driver_parser, load_dump, main_in_workdir,
                   show_all)

START_TIMEOUT_S = 60  # RabbitMQ takes a few seconds to boot, more on a loaded machine
MESSAGE_TIMEOUT_S = 45
STOP_TIMEOUT_S = 30
# Short, so the dump grows while the test waits for the consumer's spans; a trace completed
# again by a late batch is harmless: the checks below look at spans, not at dump objects.
SINK_QUIET_MS = 500
QUEUE = "order.created"

SINK_LISTEN = re.compile(r"^otlp/(grpc|http) listening on 127\.0\.0\.1:(\d+)$")
SERVE_LISTEN = re.compile(r"^service (\w+) listening on 127\.0\.0\.1:(\d+)$")
BROKER_URL = re.compile(r"^amqp url: (amqp://\S+)$")
NODE_MESSAGE = re.compile(r"^node_amqp: message \d+ traceparent=(\S+) tracestate=\S+ "
                          r"redelivered=(\w+)$")

PRODUCER_SERVICES = f"""\
# Written by tests/interop/amqp/run_amqp.py: our producer; the consumer is the Node app.
services:
  orders:
    routes:
      "POST /orders":
        - db: {{ statement: "INSERT INTO orders (id) VALUES (?)", latency: 1ms }}
        - publish: {QUEUE}
"""
CONSUMER_SERVICES = f"""\
# Written by tests/interop/amqp/run_amqp.py: our consumer; the producer is the Node app.
# (orders is never called: the loader wants a publisher of every consumed queue in the graph,
# a guard against misspelt queue names.)
services:
  orders:
    routes:
      "POST /orders":
        - publish: {QUEUE}
  fulfilment:
    consumers:
      {QUEUE}:
        name: process {QUEUE}
        steps:
          - work: {{ name: reserve-inventory, latency: 1ms }}
"""


def log(message):
    print(f"amqp: {message}", flush=True)


def check_environment(args):
    check_binary(args.traceproof)
    check_node(args.node, args.node_modules,
               ["amqplib", "@opentelemetry/instrumentation-amqplib",
                "@opentelemetry/sdk-trace-node", "@opentelemetry/exporter-trace-otlp-proto"])


def all_spans(traces):
    """Each span once: a trace that gets a span after it was dumped is dumped again, whole
    (times_completed counts up), so a span can be in several dump objects."""
    spans = {}
    for t in traces:
        for s in t.get("spans", []):
            spans[(s.get("trace_id"), s.get("span_id"))] = s
    return list(spans.values())


def read_dump_now(path):
    """The dump as far as it is written (a line being written is skipped)."""
    traces = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                traces.append(json.loads(line))
            except ValueError:
                pass
    return traces


def check_traces(spans, producer_service, consumer_service, count):
    """Problems with the dumped spans, [] when each of `count` messages made one producer span
    and one consumer span, its child in the same trace."""
    problems = []
    producers = [s for s in spans
                 if s.get("service_name") == producer_service and s.get("kind") == "PRODUCER"]
    consumers = [s for s in spans
                 if s.get("service_name") == consumer_service and s.get("kind") == "CONSUMER"]
    if len(producers) != count:
        problems.append(f"{len(producers)} {producer_service} PRODUCER spans, want {count}")
    if len(consumers) != count:
        problems.append(f"{len(consumers)} {consumer_service} CONSUMER spans, want {count}")
    by_id = {s["span_id"]: s for s in producers}
    matched = {}
    for c in consumers:
        label = f"{consumer_service} CONSUMER {c.get('name')!r} [{c['span_id']}]"
        parent = by_id.get(c.get("parent_span_id"))
        if parent is None:
            problems.append(f"{label}: parent_span_id {c.get('parent_span_id')!r} is not a "
                            f"{producer_service} PRODUCER span (trace {c['trace_id']}, "
                            f"links {c.get('links', [])})")
            continue
        if c["trace_id"] != parent["trace_id"]:
            problems.append(f"{label}: trace_id {c['trace_id']}, want its producer's "
                            f"{parent['trace_id']}")
        if parent["span_id"] in matched:
            problems.append(f"{label}: producer span {parent['span_id']} already has consumer "
                            f"{matched[parent['span_id']]}")
        matched[parent["span_id"]] = c["span_id"]
    unmatched = [p["span_id"] for p in producers if p["span_id"] not in matched]
    if unmatched:
        problems.append(f"{len(unmatched)} producer spans without a consumer span: "
                        f"{unmatched[:5]}")
    return problems, producers, consumers


def post_orders(port, count):
    for i in range(count):
        request = urllib.request.Request(f"http://127.0.0.1:{port}/orders", data=b"{}",
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                status = response.status
        except urllib.error.HTTPError as e:
            status = e.code
        except OSError as e:
            raise Failure(f"POST /orders #{i + 1} failed: {e}")
        if status != 200:
            raise Failure(f"POST /orders #{i + 1} answered {status}")


def run(args, workdir):
    check_environment(args)
    binary = str(Path(args.traceproof).resolve())
    dump_path = workdir / "dump.jsonl"
    node_env = clean_environment({"NODE_PATH": str(Path(args.node_modules).resolve())})
    procs, broker = [], None
    try:
        broker = Proc("broker", [binary, "broker"], workdir)
        url = broker.wait_for(BROKER_URL, 1, START_TIMEOUT_S)[0].group(1)
        sink = Proc("sink", [binary, "sink", "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0",
                             "--dump", str(dump_path), "--quiet-ms", str(SINK_QUIET_MS)],
                    workdir)
        procs.append(sink)
        ports = {m.group(1): int(m.group(2))
                 for m in sink.wait_for(SINK_LISTEN, 2, START_TIMEOUT_S)}
        endpoint = f"http://127.0.0.1:{ports['http']}"

        services = workdir / "services.yaml"
        ours_produce = args.direction == "node_consumer"
        services.write_text(PRODUCER_SERVICES if ours_produce else CONSUMER_SERVICES)
        serve = Proc("serve", [binary, "serve", str(services), "--broker", url,
                               "--otlp-endpoint", f"127.0.0.1:{ports['grpc']}",
                               "--otlp-protocol", "grpc"], workdir, env=clean_environment({}))
        procs.append(serve)
        listening = {m.group(1): int(m.group(2))
                     for m in serve.wait_for(SERVE_LISTEN, 1 if ours_produce else 2,
                                             START_TIMEOUT_S)}
        log(f"broker {url}; sink grpc :{ports['grpc']} http :{ports['http']}; "
            f"direction {args.direction}, {args.count} messages on {QUEUE}")

        node_command = [args.node, str(HERE / "node_amqp.js"), "--url", url, "--queue", QUEUE,
                        "--count", str(args.count), "--endpoint", endpoint]
        if ours_produce:
            node = Proc("node consumer", node_command[:2] + ["--role", "consumer"]
                        + node_command[2:], workdir, env=node_env)
            procs.append(node)
            node.wait_for(re.compile(rf"^consuming {re.escape(QUEUE)}$"), 1, START_TIMEOUT_S)
            post_orders(listening["orders"], args.count)
            node.wait_for(re.compile(rf"^received {args.count}$"), 1, MESSAGE_TIMEOUT_S)
            producer_service, consumer_service = "orders", "node-consumer"
        else:
            node = Proc("node producer", node_command[:2] + ["--role", "producer"]
                        + node_command[2:], workdir, env=node_env)
            procs.append(node)
            node.wait_for(re.compile(rf"^published {args.count}$"), 1, START_TIMEOUT_S)
            try:  # it exits by itself once its spans are flushed
                code = node.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                raise Failure(f"node producer did not exit within {STOP_TIMEOUT_S} s")
            if code != 0:
                raise Failure(f"node producer exited with code {code}")
            producer_service, consumer_service = "node-producer", "fulfilment"
            # Our consumer's spans reach the dump once processed, exported and quiet.
            deadline = time.monotonic() + MESSAGE_TIMEOUT_S
            while time.monotonic() < deadline:
                done = [s for s in all_spans(read_dump_now(dump_path))
                        if s.get("service_name") == "fulfilment" and s.get("kind") == "CONSUMER"]
                if len(done) >= args.count:
                    break
                time.sleep(0.2)

        # Every exporter flushes on SIGTERM; the sink dumps every trace on its own SIGTERM.
        for proc in (serve, node, sink):
            proc.stop_ok(STOP_TIMEOUT_S)
        if not dump_path.exists():
            raise Failure(f"sink exited 0 but wrote no --dump file {dump_path}")

        spans = all_spans(load_dump(dump_path))
        problems, producers, consumers = check_traces(spans, producer_service, consumer_service,
                                                      args.count)
        if ours_produce:
            # The Node app's own view: the traceparent it received names one of our producers.
            want = {f"{p['trace_id']}-{p['span_id']}" for p in producers}
            got = [m.group(1) for m in map(NODE_MESSAGE.match, node.stdout_lines) if m]
            if len(got) != args.count:
                problems.append(f"node consumer logged {len(got)} messages, want {args.count}")
            for tp in got:
                parts = tp.split("-")
                if len(parts) != 4 or f"{parts[1]}-{parts[2]}" not in want:
                    problems.append(f"node consumer received traceparent {tp}, not one of "
                                    "orders' PRODUCER spans")
        name = f"interop.amqp.{args.direction}"
        if problems:
            print(f"FAIL {name}: {len(problems)} problems:")
            for p in problems:
                print(f"  - {p}")
            show_all(procs + [broker])
            return EXIT_MISMATCH
        example = consumers[0]
        print(f"PASS {name}: {args.count} messages through RabbitMQ, each {producer_service} "
              f"PRODUCER span {producers[0]['name']!r} has exactly one {consumer_service} "
              f"CONSUMER span {example['name']!r} as its child in its trace "
              f"(e.g. trace {example['trace_id']}: {example['parent_span_id']} -> "
              f"{example['span_id']})")
        return EXIT_OK
    except Failure as e:
        for proc in procs:
            proc.kill()
        print(f"FAIL interop.amqp.{args.direction}: {e}")
        show_all(procs + ([broker] if broker else []))
        return EXIT_MISMATCH
    finally:
        for proc in procs:
            proc.close()
        if broker:
            # SIGTERM: the broker command stops RabbitMQ (rabbitmqctl stop, its process group,
            # its epmd) and removes its directory; killing it would leave them behind.
            try:
                code = broker.stop(STOP_TIMEOUT_S)
                if code != 0:
                    print(f"broker exited with code {code} after SIGTERM")
            except Failure as e:
                print(f"broker: {e}")
            broker.close()


def main():
    parser = driver_parser(__doc__, "the services file and the dump", venv=False)
    parser.add_argument("--direction", required=True, choices=["node_consumer", "node_producer"])
    parser.add_argument("--count", type=int, default=20, help="messages to send")
    args = parser.parse_args()

    return main_in_workdir(run, args, f"traceproof-amqp-{args.direction}-",
                           f"interop.amqp.{args.direction}", log)


if __name__ == "__main__":
    sys.exit(main())
