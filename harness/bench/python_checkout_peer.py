#!/usr/bin/env python3
"""The Python peer of `traceproof bench services`: a stdlib http.server app (the shape of a small
Flask app; Flask is not in requirements.txt) traced with the official OpenTelemetry Python SDK,
answering POST /checkout with the span tree of the checkout-baseline preset, 13 spans:

  SERVER POST /checkout
    CLIENT POST -> SERVER POST /validate-token -> INTERNAL validate-token (1 ms)
    CLIENT POST -> SERVER POST /orders
                     CLIENT INSERT orders (db, 1 ms)
                     CLIENT POST -> SERVER POST /charge
                                      INTERNAL charge-card (1 ms)
                                      CLIENT POST -> SERVER POST /v1/charges
                                                       INTERNAL authorize (lognormal p50 2 ms,
                                                                           p99 8 ms)

The "calls" are in-process (no HTTP hop between services), so the peer does less work per request
than traceproof's five real services: the comparison favours it.

  .venv/bin/python harness/bench/python_checkout_peer.py --endpoint http://127.0.0.1:SINK_HTTP_PORT

Spans go to --endpoint/v1/traces over OTLP/HTTP protobuf through a BatchSpanProcessor. Prints
"listening on 127.0.0.1:PORT" when ready. SIGTERM: stop, flush, print
"spans started N exported M dropped D", exit 0 (1 if an export failed, 2 usage/environment).
"""
import argparse
import math
import random
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
    from opentelemetry.sdk.trace.export import (BatchSpanProcessor, SpanExporter,
                                                SpanExportResult)
except ImportError as e:
    print(f"python_checkout_peer: {e}; run scripts/bootstrap", file=sys.stderr)
    sys.exit(2)

SERVER, CLIENT, INTERNAL = trace.SpanKind.SERVER, trace.SpanKind.CLIENT, trace.SpanKind.INTERNAL
# lognormal with median 2 ms and 99th percentile 8 ms (z(0.99) = 2.326), as the preset says.
AUTHORIZE_MU = math.log(0.002)
AUTHORIZE_SIGMA = math.log(8 / 2) / 2.326


class CountingExporter(SpanExporter):
    """Passes spans to the OTLP exporter and counts how exports ended. Called from the batch
    processor's worker thread only."""

    def __init__(self, inner):
        self.inner = inner
        self.exported = 0
        self.failures = 0

    def export(self, spans):
        result = self.inner.export(spans)
        if result == SpanExportResult.SUCCESS:
            self.exported += len(spans)
        else:
            self.failures += 1
        return result

    def shutdown(self):
        self.inner.shutdown()

    def force_flush(self, timeout_millis=30000):
        return self.inner.force_flush(timeout_millis)


class StartCounter(SpanProcessor):
    """Counts spans started: the ground truth the sink's count is compared with."""

    def __init__(self):
        self.lock = threading.Lock()
        self.started = 0

    def on_start(self, span, parent_context=None):
        with self.lock:
            self.started += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--endpoint", required=True, help="OTLP/HTTP base URL of the sink")
    parser.add_argument("--max-queue-size", type=int, default=65536)
    args = parser.parse_args()

    exporter = CountingExporter(
        OTLPSpanExporter(endpoint=f"{args.endpoint.rstrip('/')}/v1/traces", timeout=10))
    provider = TracerProvider(resource=Resource.create({"service.name": "checkout-peer"}))
    counter = StartCounter()
    provider.add_span_processor(counter)
    batch = BatchSpanProcessor(exporter, max_queue_size=args.max_queue_size,
                               max_export_batch_size=512, schedule_delay_millis=200)
    provider.add_span_processor(batch)
    tracer = provider.get_tracer("traceproof.bench.python_checkout_peer")

    def call(path, body):
        with tracer.start_as_current_span("POST", kind=CLIENT) as client:
            client.set_attribute("http.request.method", "POST")
            client.set_attribute("url.path", path)
            with tracer.start_as_current_span(f"POST {path}", kind=SERVER) as server:
                server.set_attribute("http.request.method", "POST")
                server.set_attribute("http.route", path)
                body()
                server.set_attribute("http.response.status_code", 200)
            client.set_attribute("http.response.status_code", 200)

    def work(name, seconds):
        with tracer.start_as_current_span(name, kind=INTERNAL):
            time.sleep(seconds)

    def stripe():
        work("authorize", random.lognormvariate(AUTHORIZE_MU, AUTHORIZE_SIGMA))

    def payments():
        work("charge-card", 0.001)
        call("/v1/charges", stripe)

    def orders():
        with tracer.start_as_current_span("INSERT orders", kind=CLIENT) as db:
            db.set_attribute("db.system", "postgresql")
            db.set_attribute("db.query.text", "INSERT INTO orders (id, total) VALUES (?, ?)")
            time.sleep(0.001)
        call("/charge", payments)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("content-length", 0))
            if length:
                self.rfile.read(length)
            path = self.path.split("?", 1)[0]
            if path != "/checkout":
                self.send_response(404)
                self.send_header("content-length", "0")
                self.end_headers()
                return
            with tracer.start_as_current_span("POST /checkout", kind=SERVER) as span:
                span.set_attribute("http.request.method", "POST")
                span.set_attribute("http.route", "/checkout")
                call("/validate-token", lambda: work("validate-token", 0.001))
                call("/orders", orders)
                span.set_attribute("http.response.status_code", 200)
            body = b"ok\n"
            self.send_response(200)
            self.send_header("content-type", "text/plain")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_):
            pass

    class Server(ThreadingHTTPServer):
        # listen() backlog; the default (5) makes a burst of 256 connects time out.
        request_queue_size = 1024
        daemon_threads = True

    try:
        server = Server(("127.0.0.1", args.port), Handler)
    except OSError as e:
        print(f"python_checkout_peer: cannot listen on 127.0.0.1:{args.port}: {e}",
              file=sys.stderr)
        return 2
    server.request_queue_size = 1024
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    print(f"listening on 127.0.0.1:{server.server_address[1]}", flush=True)
    while not stop.wait(0.2):
        pass
    server.shutdown()
    server.server_close()
    flushed = provider.force_flush(30000)
    provider.shutdown()
    dropped = counter.started - exporter.exported
    print(f"spans started {counter.started} exported {exporter.exported} dropped {dropped}",
          flush=True)
    if not flushed or exporter.failures:
        print(f"python_checkout_peer: export failed ({exporter.failures} failed exports, "
              f"flushed={flushed})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
