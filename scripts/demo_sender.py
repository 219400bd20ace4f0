#!/usr/bin/env python3
"""Sends the seed's slow-checkout trace to an OTLP endpoint with the official Python SDK.

  gateway  POST /checkout        SERVER  4.2 s
  auth     ├─ validate-token     SERVER  12 ms
  orders   └─ create-order       SERVER  4.1 s
  orders      ├─ INSERT orders   CLIENT  8 ms    db.system=postgresql
  payments    └─ charge-card     SERVER  4.0 s
  payments       └─ POST stripe  CLIENT  3.9 s   server.address=api.stripe.com

Each service has its own TracerProvider and Resource (service.name), as separate processes
would; all export to one endpoint. Spans carry explicit start and end times, so the durations
are exact and the script does not sleep.

  .venv/bin/python scripts/demo_sender.py [--endpoint http://127.0.0.1:4317]
      [--protocol grpc|http/protobuf] [--scale F]

--endpoint is the base URL (as OTEL_EXPORTER_OTLP_ENDPOINT); http/protobuf posts to
ENDPOINT/v1/traces. --scale multiplies every duration and offset (default 1.0). Prints the
trace id it sent; exits 1 if an export failed, 2 if the SDK is not installed.
"""
import argparse
import sys
import time

try:
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
    from opentelemetry.trace import SpanKind
except ImportError as e:
    print(f"demo_sender: {e}; run scripts/bootstrap and use .venv/bin/python", file=sys.stderr)
    sys.exit(2)

SERVICES = ("gateway", "auth", "orders", "payments")

# (key, parent key, service, name, kind, start offset ms, duration ms, attributes)
SPANS = (
    ("checkout", None, "gateway", "POST /checkout", SpanKind.SERVER, 0, 4200,
     {"http.request.method": "POST", "url.path": "/checkout", "http.response.status_code": 200}),
    ("token", "checkout", "auth", "validate-token", SpanKind.SERVER, 10, 12, {}),
    ("order", "checkout", "orders", "create-order", SpanKind.SERVER, 40, 4100, {}),
    ("insert", "order", "orders", "INSERT orders", SpanKind.CLIENT, 50, 8,
     {"db.system": "postgresql", "db.query.text": "INSERT INTO orders ..."}),
    ("charge", "order", "payments", "charge-card", SpanKind.SERVER, 70, 4000, {}),
    ("stripe", "charge", "payments", "POST stripe", SpanKind.CLIENT, 120, 3900,
     {"http.request.method": "POST", "server.address": "api.stripe.com"}),
)


class ResultKeeper(SpanExporter):
    """Forwards to the OTLP exporter and remembers whether every export succeeded. Called from
    one BatchSpanProcessor worker thread."""

    def __init__(self, inner: SpanExporter):
        self._inner = inner
        self.failed = False

    def export(self, spans):
        result = self._inner.export(spans)
        self.failed |= result != SpanExportResult.SUCCESS
        return result

    def shutdown(self):
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)


def make_exporter(protocol: str, endpoint: str) -> SpanExporter:
    endpoint = endpoint.rstrip("/")
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
        return OTLPSpanExporter(endpoint=endpoint, insecure=True, timeout=10)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    return OTLPSpanExporter(endpoint=endpoint + "/v1/traces", timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint", default="http://127.0.0.1:4317",
                        help="OTLP base URL (default: %(default)s)")
    parser.add_argument("--protocol", choices=("grpc", "http/protobuf"), default="grpc")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply every duration by F (default: %(default)s)")
    args = parser.parse_args()
    if args.scale <= 0:
        parser.error("--scale must be > 0")

    keepers, providers, tracers = [], [], {}
    for service in SERVICES:
        keeper = ResultKeeper(make_exporter(args.protocol, args.endpoint))
        provider = TracerProvider(resource=Resource.create({"service.name": service}))
        provider.add_span_processor(BatchSpanProcessor(keeper))
        tracers[service] = provider.get_tracer("traceproof.demo_sender", "0.1.0")
        keepers.append(keeper)
        providers.append(provider)

    # The trace ended just now: it started 4.2 s x scale ago.
    base_ns = time.time_ns() - int(4200 * args.scale * 1_000_000)
    at = lambda ms: base_ns + int(ms * args.scale * 1_000_000)  # noqa: E731
    spans = {}
    for key, parent, service, name, kind, start_ms, _, attributes in SPANS:
        context = trace.set_span_in_context(spans[parent]) if parent else None
        spans[key] = tracers[service].start_span(name, context=context, kind=kind,
                                                 attributes=attributes, start_time=at(start_ms))
    # Children end before parents, as in real services.
    for key, _, _, _, _, start_ms, duration_ms, _ in reversed(SPANS):
        spans[key].end(end_time=at(start_ms + duration_ms))

    trace_id = spans["checkout"].get_span_context().trace_id
    flushed = all(p.force_flush(30_000) for p in providers)
    for p in providers:
        p.shutdown()
    if not flushed or any(k.failed for k in keepers):
        print(f"demo_sender: export to {args.endpoint} ({args.protocol}) failed", file=sys.stderr)
        return 1
    print(f"{trace_id:032x}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
