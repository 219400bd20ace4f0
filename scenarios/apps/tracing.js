// OpenTelemetry JS SDK set-up for the Node apps of the app scenarios (checkout.js, consumer.js),
// configured only from the environment, as @opentelemetry/sdk-node does it: the exporter from
// OTEL_EXPORTER_OTLP_PROTOCOL (grpc, http/protobuf, http/json) and OTEL_EXPORTER_OTLP_ENDPOINT,
// the batch delay from OTEL_BSP_SCHEDULE_DELAY, the resource from OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES (envDetector): what `traceproof run` sets for an app. Modules come
// from NODE_PATH (the scenario sets it to the node_modules/ that scripts/bootstrap installs).
'use strict';

function load(prog, name) {
  try {
    return require(name);
  } catch (e) {
    console.error(`${prog}: ${e.message}; run scripts/bootstrap (or set NODE_PATH)`);
    process.exit(2);
  }
}

function exporterFor(prog) {
  const protocol = process.env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf';
  const pkg = { grpc: 'grpc', 'http/protobuf': 'proto', 'http/json': 'http' }[protocol];
  if (!pkg) {
    console.error(`${prog}: OTEL_EXPORTER_OTLP_PROTOCOL '${protocol}' is not supported`);
    process.exit(2);
  }
  const { OTLPTraceExporter } = load(prog, `@opentelemetry/exporter-trace-otlp-${pkg}`);
  return new OTLPTraceExporter();  // reads OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/traces for HTTP)
}

// Starts tracing with `instrumentations` enabled: call before requiring what they patch.
// Returns finish(close): close() (may return a promise), flush, shut down, exit 0 (1 on failure).
function startTracing(prog, instrumentations) {
  const { NodeTracerProvider, BatchSpanProcessor } = load(prog, '@opentelemetry/sdk-trace-node');
  const { defaultResource, detectResources, envDetector } = load(prog, '@opentelemetry/resources');
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(detectResources({ detectors: [envDetector] })),
    spanProcessors: [new BatchSpanProcessor(exporterFor(prog))],  // OTEL_BSP_* from the env
  });
  provider.register();  // global provider, AsyncLocalStorage context, W3C propagators
  for (const i of instrumentations) i.setTracerProvider(provider);

  return function finish(close) {
    const watchdog = setTimeout(() => process.exit(1), 10000);
    Promise.resolve(close ? close() : undefined).catch(() => {})
      .then(() => provider.shutdown())
      .then(() => { clearTimeout(watchdog); console.log(`${prog}: stopped`); process.exit(0); },
            (e) => { console.error(`${prog}: shutdown failed: ${e && e.message}`); process.exit(1); });
  };
}

module.exports = { load, startTracing };
