// OpenTelemetry JS SDK set-up shared by the Node apps of the interop tests (chain/node_app.js,
// amqp/node_amqp.js), traced the way users do it: @opentelemetry/sdk-trace-node with a batch
// processor and the OTLP/HTTP protobuf exporter, registered as the global tracer provider, and
// one official instrumentation. Modules come from NODE_PATH (the drivers set it to the
// node_modules/ that scripts/bootstrap installs).
'use strict';

// require(name), or exit 2 (environment) naming `prog` and what is missing.
function load(prog, name) {
  try {
    return require(name);
  } catch (e) {
    console.error(`${prog}: ${e.message}; run scripts/bootstrap (or set NODE_PATH)`);
    process.exit(2);
  }
}

// Export results, so that a failed export fails the app (and so the test) with a reason.
class CountingExporter {
  constructor(inner) {
    this.inner = inner;
    this.exported = 0;
    this.failures = [];
  }
  export(spans, done) {
    this.inner.export(spans, (result) => {
      if (result.code === 0) this.exported += spans.length;
      else this.failures.push(String(result.error && result.error.message || result.error));
      done(result);
    });
  }
  shutdown() { return this.inner.shutdown(); }
  forceFlush() { return this.inner.forceFlush ? this.inner.forceFlush() : Promise.resolve(); }
}

// Starts tracing for `prog` as `serviceName`, spans to ENDPOINT/v1/traces, with `Instrumentation`
// enabled: call before requiring the module it patches. Returns { provider, exporter, finish }:
// finish(code, close) runs close() (may return a promise; its failure is ignored), flushes and
// shuts the provider down, prints the spans exported and exits with `code`, or 1 if an export
// or the shutdown failed or it all took over 10 s.
// options.sdkDefaults: the BatchSpanProcessor as the SDK makes it, not with a 100 ms delay.
function startTracing(prog, serviceName, endpoint, Instrumentation, options = {}) {
  const { NodeTracerProvider, BatchSpanProcessor } = load(prog, '@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } = load(prog, '@opentelemetry/exporter-trace-otlp-proto');
  const { resourceFromAttributes } = load(prog, '@opentelemetry/resources');

  const exporter = new CountingExporter(
    new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }));
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [options.sdkDefaults ? new BatchSpanProcessor(exporter)
                                         : new BatchSpanProcessor(exporter, { scheduledDelayMillis: 100 })],
  });
  // Global tracer provider, AsyncLocalStorage context manager, W3C tracecontext+baggage
  // propagator.
  provider.register();
  new Instrumentation().setTracerProvider(provider);

  function finish(code, close) {
    const watchdog = setTimeout(() => {
      console.error(`${prog}: shutdown did not finish within 10 s`);
      process.exit(1);
    }, 10000);
    const closed = close ? Promise.resolve(close()).catch(() => {}) : Promise.resolve();
    closed.then(() => provider.shutdown()).then(() => {
      clearTimeout(watchdog);
      console.log(`${prog}: ${exporter.exported} spans exported`);
      if (exporter.failures.length) {
        console.error(`${prog}: export failed: ${exporter.failures.join('; ')}`);
        process.exit(1);
      }
      process.exit(code);
    }, (e) => {
      console.error(`${prog}: shutdown failed: ${e && e.message}`);
      process.exit(1);
    });
  }

  return { provider, exporter, finish };
}

module.exports = { load, startTracing };
