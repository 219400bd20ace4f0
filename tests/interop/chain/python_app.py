#!/usr/bin/env python3
"""The middle of the SDK chain test, in Python: a Flask app traced with the official OpenTelemetry
Python SDK and the official instrumentation, which does all the propagation (through the SDK's
global propagator: W3C tracecontext + baggage by default); this file has no propagation code:

  incoming request -> opentelemetry-instrumentation-wsgi (the OpenTelemetryMiddleware that
  FlaskInstrumentor wraps) extracts the headers -> SERVER span (child of it)
  -> requests.get(--next) -> opentelemetry-instrumentation-requests (RequestsInstrumentor):
  CLIENT span, injects its context into the outgoing headers

  .venv/bin/python tests/interop/chain/python_app.py --port PORT \
      --next http://127.0.0.1:PORT/path --endpoint http://127.0.0.1:SINK_HTTP_PORT

(opentelemetry-instrumentation-flask itself is not used: no release of it fits the SDK pinned
in requirements.txt; see there.) Spans go to --endpoint/v1/traces over OTLP/HTTP protobuf
(opentelemetry-exporter-otlp-proto-http) as service.name "middle". Prints
"listening on 127.0.0.1:PORT" when ready and one line per request with the trace headers it saw
(read in a Flask before_request hook) and sent (read from the request the instrumentation sent,
in its response hook). SIGTERM: stop, flush the spans, exit 0.

Exit codes: 0 after SIGTERM with every span exported; 1 an export failed; 2 usage/environment.
"""
import argparse
import logging
import signal
import sys
import threading

try:
    import flask
    import requests
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.requests import RequestsInstrumentor
    from opentelemetry.instrumentation.wsgi import OpenTelemetryMiddleware
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (BatchSpanProcessor, SpanExporter,
                                                SpanExportResult)
    from werkzeug.serving import make_server
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


def trace_headers(headers):
    return (f"traceparent={headers.get('traceparent', '-')} "
            f"tracestate={headers.get('tracestate', '-')}")


def record_sent(span, request, response):
    """RequestsInstrumentor's response hook: `request` is the one it sent, with the headers
    it injected."""
    if flask.has_app_context():
        flask.g.sent = trace_headers(request.headers)


def create_app(next_url):
    app = flask.Flask("middle")

    @app.before_request
    def record_seen():
        flask.g.seen = trace_headers(flask.request.headers)

    @app.get("/<path:path>")
    def forward(path):
        flask.g.sent = trace_headers({})
        try:
            status = requests.get(next_url, timeout=10).status_code
        except requests.RequestException:
            status = 0  # the instrumentation records the error on the CLIENT span
        print(f"python_app: GET {flask.request.full_path.rstrip('?')} in: {flask.g.seen} "
              f"out: {flask.g.sent} -> {status}", flush=True)
        return (f"next answered {status}\n", 200 if status == 200 else 502,
                {"content-type": "text/plain"})

    # What FlaskInstrumentor().instrument_app(app) installs: the official WSGI middleware,
    # which extracts the incoming context and makes the SERVER span current for the view.
    app.wsgi_app = OpenTelemetryMiddleware(app.wsgi_app)
    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--next", required=True, help="URL every request is forwarded to")
    parser.add_argument("--endpoint", required=True, help="OTLP/HTTP base URL of the sink")
    parser.add_argument("--service", default="middle", help="service.name")
    parser.add_argument("--sdk-defaults", action="store_true",
                        help="the BatchSpanProcessor as the SDK makes it (5 s schedule delay, "
                        "or OTEL_BSP_SCHEDULE_DELAY), not 100 ms")
    args = parser.parse_args()

    exporter = CountingExporter(
        OTLPSpanExporter(endpoint=f"{args.endpoint.rstrip('/')}/v1/traces", timeout=10))
    provider = TracerProvider(resource=Resource.create({"service.name": args.service}))
    provider.add_span_processor(BatchSpanProcessor(exporter) if args.sdk_defaults else
                                BatchSpanProcessor(exporter, schedule_delay_millis=100))
    trace.set_tracer_provider(provider)
    # Only the app's own outgoing calls: the OTLP exporter's requests to the sink are not
    # traced (the BatchSpanProcessor suppresses instrumentation while it exports).
    RequestsInstrumentor().instrument(response_hook=record_sent)

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no per-request access log
    try:
        server = make_server("127.0.0.1", args.port, create_app(args.next), threaded=True)
    except (OSError, SystemExit) as e:  # werkzeug prints why and exits on bind errors
        print(f"python_app: cannot listen on 127.0.0.1:{args.port}: {e}", file=sys.stderr)
        return 2
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
