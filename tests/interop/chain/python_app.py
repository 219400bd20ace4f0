#!/usr/bin/env python3
"""The middle of the SDK chain test, in Python: a stdlib http.server app traced with the official
OpenTelemetry Python SDK, propagating the way an instrumentation library does it, through the
SDK's global propagator (W3C tracecontext + baggage by default):

  incoming request -> opentelemetry.propagate.extract(headers) -> SERVER span (child of it)
  -> CLIENT span -> opentelemetry.propagate.inject(outgoing headers) -> GET --next

  .venv/bin/python tests/interop/chain/python_app.py --port PORT \
      --next http://127.0.0.1:PORT/path --endpoint http://127.0.0.1:SINK_HTTP_PORT

Spans go to --endpoint/v1/traces over OTLP/HTTP protobuf
(opentelemetry-exporter-otlp-proto-http) as service.name "middle". Prints
"listening on 127.0.0.1:PORT" when ready and one line per request with the trace headers it saw
and sent. SIGTERM: stop, flush the spans, exit 0.

Exit codes: 0 after SIGTERM with every span exported; 1 an export failed; 2 usage/environment.
"""
import argparse
import signal
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from opentelemetry import propagate, trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (BatchSpanProcessor, SpanExporter,
                                                SpanExportResult)
except ImportError as e:
    print(f"python_app: {e}; run scripts/bootstrap", file=sys.stderr)
    sys.exit(2)


class CountingExporter(SpanExporter):
    """Passes spans to the OTLP exporter and keeps count of how each export ended."""

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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--next", required=True, help="URL every request is forwarded to")
    parser.add_argument("--endpoint", required=True, help="OTLP/HTTP base URL of the sink")
    args = parser.parse_args()

    exporter = CountingExporter(
        OTLPSpanExporter(endpoint=f"{args.endpoint.rstrip('/')}/v1/traces", timeout=10))
    provider = TracerProvider(resource=Resource.create({"service.name": "middle"}))
    provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=100))
    trace.set_tracer_provider(provider)
    tracer = trace.get_tracer("traceproof.interop.chain.python_app")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            incoming = dict(self.headers.items())
            seen = (f"traceparent={self.headers.get('traceparent', '-')} "
                    f"tracestate={self.headers.get('tracestate', '-')}")
            # As an instrumentation library does: the carrier is the request's headers.
            parent = propagate.extract(incoming)
            with tracer.start_as_current_span(f"GET {path}", context=parent,
                                              kind=trace.SpanKind.SERVER) as server:
                server.set_attribute("http.request.method", "GET")
                server.set_attribute("url.path", path)
                with tracer.start_as_current_span("GET", kind=trace.SpanKind.CLIENT) as client:
                    client.set_attribute("http.request.method", "GET")
                    client.set_attribute("url.full", args.next)
                    outgoing = {}
                    propagate.inject(outgoing)
                    try:
                        request = urllib.request.Request(args.next, headers=outgoing)
                        with urllib.request.urlopen(request, timeout=10) as response:
                            response.read()
                            status = response.status
                    except urllib.error.HTTPError as e:
                        status = e.code
                    except OSError as e:
                        status = 0
                        client.set_status(trace.StatusCode.ERROR, str(e))
                    client.set_attribute("http.response.status_code", status)
                code = 200 if status == 200 else 502
                server.set_attribute("http.response.status_code", code)
            print(f"python_app: GET {self.path} in: {seen} out: "
                  f"traceparent={outgoing.get('traceparent', '-')} "
                  f"tracestate={outgoing.get('tracestate', '-')} -> {status}", flush=True)
            body = f"next answered {status}\n".encode()
            self.send_response(code)
            self.send_header("content-type", "text/plain")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_):
            pass

    try:
        server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    except OSError as e:
        print(f"python_app: cannot listen on 127.0.0.1:{args.port}: {e}", file=sys.stderr)
        return 2
    server.daemon_threads = True
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    print(f"listening on 127.0.0.1:{server.server_address[1]}", flush=True)
    while not stop.wait(0.2):
        pass
    server.shutdown()
    server.server_close()
    flushed = provider.force_flush(10000)
    provider.shutdown()
    print(f"python_app: {exporter.exported} spans exported", flush=True)
    if not flushed or exporter.failures:
        print(f"python_app: export failed ({exporter.failures} failed exports, "
              f"flushed={flushed})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
