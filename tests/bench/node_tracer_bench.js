// Peer for `traceproof bench tracer`: the official OpenTelemetry JS SDK doing the same work per
// span (start, 5 attributes, end, BatchSpanProcessor enqueue to an exporter that discards),
// printed as one JSON line: {"ns_per_span": N, "spans": M}.
// usage: node node_tracer_bench.js SECONDS
'use strict';
const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');

const seconds = Number(process.argv[2] || 2);
class NullExporter {
  export(spans, done) { done({ code: 0 }); }
  shutdown() { return Promise.resolve(); }
}
const provider = new BasicTracerProvider({
  spanProcessors: [new BatchSpanProcessor(new NullExporter(), {
    maxQueueSize: 1 << 20, maxExportBatchSize: 512, scheduledDelayMillis: 100,
  })],
});
const tracer = provider.getTracer('bench');

function run(n) {
  for (let i = 0; i < n; i++) {
    const span = tracer.startSpan('GET /bench');
    span.setAttribute('http.request.method', 'GET');
    span.setAttribute('http.route', '/bench');
    span.setAttribute('http.response.status_code', 200);
    span.setAttribute('server.address', 'bench.local');
    span.setAttribute('url.path', '/bench');
    span.end();
  }
}
// Batches yield to the event loop so the processor's timer can export, as in a real service.
run(20000);  // warm-up (JIT)
let spans = 0;
const start = process.hrtime.bigint();
const deadline = start + BigInt(Math.round(seconds * 1e9));
function step() {
  run(10000);
  spans += 10000;
  if (process.hrtime.bigint() < deadline) return setImmediate(step);
  const ns = Number(process.hrtime.bigint() - start);
  console.log(JSON.stringify({ ns_per_span: ns / spans, spans }));
  provider.shutdown().then(() => process.exit(0));
}
step();
