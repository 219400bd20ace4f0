#!/usr/bin/env python3
"""checkout: the user's own service in the app scenarios (scenarios/app-python-checkout*.yaml),
a Flask app traced with the official OpenTelemetry Python SDK, configured the way the official
distro (opentelemetry-instrument) configures it: from the OTEL_* environment variables that
`traceproof run` sets (OTEL_EXPORTER_OTLP_ENDPOINT / _PROTOCOL, OTEL_SERVICE_NAME,
OTEL_RESOURCE_ATTRIBUTES, OTEL_BSP_SCHEDULE_DELAY), with OTEL_PYTHON_DISABLED_INSTRUMENTATIONS
honoured as the distro honours it. No propagation code of its own:

  POST /checkout -> opentelemetry-instrumentation-wsgi (the middleware FlaskInstrumentor
  installs: SERVER span, child of the incoming traceparent) -> requests.post(--payments/charge)
  -> opentelemetry-instrumentation-requests: CLIENT span, traceparent injected

With OTEL_PYTHON_DISABLED_INSTRUMENTATIONS=requests the call to payments carries no trace
context: the bug the broken scenario shows (opentelemetry-instrumentation-flask itself does not
install with the SDK pinned in requirements.txt; see there).

  .venv/bin/python scenarios/apps/checkout.py --port PORT --payments http://127.0.0.1:PORT

GET /health (not traced) answers 200 once it serves. SIGTERM: stop serving, flush the spans, exit 0.
"""
import argparse
import logging
import os
import signal
import sys
import threading

try:
    import flask
    import requests
    from opentelemetry import trace
    from opentelemetry.instrumentation.requests import RequestsInstrumentor
    from opentelemetry.instrumentation.wsgi import OpenTelemetryMiddleware
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from werkzeug.serving import make_server
except ImportError as e:
    print(f"checkout: {e}; run scripts/bootstrap", file=sys.stderr)
    sys.exit(2)


def disabled_instrumentations():
    names = os.environ.get("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", "")
    return {n.strip() for n in names.split(",") if n.strip()}


def make_exporter():
    """The exporter the distro picks from OTEL_EXPORTER_OTLP_PROTOCOL; both read
    OTEL_EXPORTER_OTLP_ENDPOINT themselves."""
    if os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf") == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    return OTLPSpanExporter()


def create_app(payments):
    app = flask.Flask("checkout")

    @app.get("/health")
    def health():
        return "ok\n"

    @app.post("/checkout")
    def checkout():
        try:
            status = requests.post(f"{payments}/charge", timeout=10).status_code
        except requests.RequestException:
            status = 0
        return (f"payments answered {status}\n", 200 if status == 200 else 502,
                {"content-type": "text/plain"})

    traced = OpenTelemetryMiddleware(app.wsgi_app)
    plain = app.wsgi_app

    # The readiness probe is not traced (as OTEL_PYTHON_FLASK_EXCLUDED_URLS=health would do):
    # its trace would count among the run's.
    def dispatch(environ, start_response):
        health = environ.get("PATH_INFO") == "/health"
        return (plain if health else traced)(environ, start_response)

    app.wsgi_app = dispatch
    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--payments", required=True, help="base URL of the payments service")
    args = parser.parse_args()

    provider = TracerProvider(resource=Resource.create())  # OTEL_SERVICE_NAME, _RESOURCE_ATTRIBUTES
    provider.add_span_processor(BatchSpanProcessor(make_exporter()))  # OTEL_BSP_SCHEDULE_DELAY
    trace.set_tracer_provider(provider)
    disabled = disabled_instrumentations()
    if "requests" not in disabled:
        RequestsInstrumentor().instrument()
    print(f"checkout: instrumentations disabled: {sorted(disabled) or 'none'}", flush=True)

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", args.port, create_app(args.payments.rstrip("/")),
                         threaded=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"checkout: listening on 127.0.0.1:{args.port}", flush=True)
    while not stop.wait(0.2):
        pass
    server.shutdown()
    provider.shutdown()  # flushes what the batch processor still holds
    print("checkout: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
