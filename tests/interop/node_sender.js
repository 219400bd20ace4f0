#!/usr/bin/env node
// Interop data sender: the official OpenTelemetry JS SDK exports scenario.json over OTLP.
//
//   node tests/interop/node_sender.js --protocol grpc|http/protobuf|http/json \
//       --endpoint http://127.0.0.1:PORT --expect-out sent.json
//
// Modules come from the node_modules/ that scripts/bootstrap installs (set NODE_PATH to use
// another one). --endpoint is the base URL, as in OTEL_EXPORTER_OTLP_ENDPOINT; for the HTTP
// protocols the sender appends /v1/traces. The resource comes from the SDK's env detector, so
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES apply.
//
// --expect-out receives what the SDK says it sent: every span the OTLP exporter was handed,
// converted from the SDK's ReadableSpan objects to the sink's dump format (see compare.py), so
// the comparison is SDK truth against sink dump, not scenario.json against sink dump.
//
// Exit codes: 0 all spans exported and recorded; 1 an export failed or spans went missing
// inside the SDK; 2 usage or environment error.
'use strict';

const fs = require('fs');
const path = require('path');

let api, sdk, resources;
try {
  api = require('@opentelemetry/api');
  sdk = require('@opentelemetry/sdk-trace-base');
  resources = require('@opentelemetry/resources');
} catch (e) {
  console.error(`node_sender: ${e.message}; run scripts/bootstrap (or set NODE_PATH)`);
  process.exit(2);
}
const { ExportResultCode } = require('@opentelemetry/core');

const SCENARIO = path.join(__dirname, 'scenario.json');
const EXPORTER_PACKAGES = {
  'grpc': '@opentelemetry/exporter-trace-otlp-grpc',
  'http/protobuf': '@opentelemetry/exporter-trace-otlp-proto',
  'http/json': '@opentelemetry/exporter-trace-otlp-http',
};

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (!['--protocol', '--endpoint', '--expect-out'].includes(flag) || value === undefined) {
      usage(`unexpected argument '${flag}'`);
    }
    args[flag.slice(2).replace('-', '_')] = value;
  }
  if (!args.protocol || !args.endpoint || !args.expect_out) usage('missing argument');
  if (!(args.protocol in EXPORTER_PACKAGES)) usage(`unknown protocol '${args.protocol}'`);
  return args;
}

function usage(problem) {
  console.error(`node_sender: ${problem}\nusage: node_sender.js --protocol ` +
                `${Object.keys(EXPORTER_PACKAGES).join('|')} --endpoint URL --expect-out FILE`);
  process.exit(2);
}

// Hands spans to the OTLP exporter under test and keeps what it handed over and how each
// export ended. Node runs it on the one event loop thread.
class TeeExporter {
  constructor(inner) {
    this.inner = inner;
    this.spans = [];
    this.results = [];
  }
  export(spans, resultCallback) {
    this.spans.push(...spans);
    this.inner.export(spans, (result) => {
      this.results.push(result);
      resultCallback(result);
    });
  }
  forceFlush() { return this.inner.forceFlush ? this.inner.forceFlush() : Promise.resolve(); }
  shutdown() { return this.inner.shutdown(); }
}

function makeExporter(protocol, endpoint) {
  const { OTLPTraceExporter } = require(EXPORTER_PACKAGES[protocol]);
  const base = endpoint.replace(/\/+$/, '');
  // An http:// URL makes the gRPC exporter use insecure credentials.
  const url = protocol === 'grpc' ? base : `${base}/v1/traces`;
  return new OTLPTraceExporter({ url, timeoutMillis: 10000 });
}

// Nanoseconds since the epoch as BigInt <-> the SDK's HrTime [seconds, nanoseconds].
const toHrTime = (ns) => [Number(ns / 1000000000n), Number(ns % 1000000000n)];
const fromHrTime = (hr) => BigInt(hr[0]) * 1000000000n + BigInt(hr[1]);

function sendScenario(scenario, tracers) {
  // Sub-millisecond nanoseconds in the base, so a sink that rounds times is caught.
  const baseNs = (BigInt(Math.floor(Date.now() / 1000)) - 5n) * 1000000000n + 123456789n;
  const at = (ms) => toHrTime(baseNs + BigInt(ms) * 1000000n);
  const spans = {};
  for (const s of scenario.spans) {
    const parent = spans[s.parent];
    let ctx = parent ? api.trace.setSpan(api.ROOT_CONTEXT, parent) : api.ROOT_CONTEXT;
    if (s.remote_parent) {
      ctx = api.trace.setSpanContext(api.ROOT_CONTEXT, {
        traceId: s.remote_parent.trace_id,
        spanId: s.remote_parent.span_id,
        traceFlags: api.TraceFlags.SAMPLED,
        isRemote: true,
        traceState: api.createTraceState(s.remote_parent.trace_state),
      });
    }
    const links = (s.links || []).map((link) => ({
      context: {
        ...spans[link.to].spanContext(),
        traceState: link.trace_state ? api.createTraceState(link.trace_state) : undefined,
      },
      attributes: link.attributes || {},
    }));
    // python_only_attributes are skipped: the JS SDK drops bytes and kvlist values.
    const span = tracers[s.provider].startSpan(s.name, {
      kind: api.SpanKind[s.kind],
      attributes: s.attributes || {},
      links,
      startTime: at(s.start_ms),
    }, ctx);
    for (const event of s.events || []) {
      span.addEvent(event.name, event.attributes || {}, at(event.offset_ms));
    }
    if (s.status) {
      span.setStatus({ code: api.SpanStatusCode[s.status.code], message: s.status.message });
    }
    spans[s.key] = span;
  }
  // Children end before parents, as in a real service.
  for (const s of [...scenario.spans].reverse()) spans[s.key].end(at(s.end_ms));
}

// --- the record of what was sent, in the sink's dump format -----------------------------------

function recordAttributes(attributes) {
  const out = {};
  for (const [k, v] of Object.entries(attributes || {})) out[k] = Array.isArray(v) ? [...v] : v;
  return out;
}

function recordSpan(span) {
  const ctx = span.spanContext();
  const resource = recordAttributes(span.resource.attributes);
  return {
    trace_id: ctx.traceId,
    span_id: ctx.spanId,
    parent_span_id: span.parentSpanContext ? span.parentSpanContext.spanId : '',
    name: span.name,
    kind: api.SpanKind[span.kind],
    start_time_unix_nano: fromHrTime(span.startTime),
    end_time_unix_nano: fromHrTime(span.endTime),
    status: { code: api.SpanStatusCode[span.status.code], message: span.status.message || '' },
    service_name: resource['service.name'] || '',
    scope: { name: span.instrumentationScope.name,
             version: span.instrumentationScope.version || '' },
    attributes: recordAttributes(span.attributes),
    dropped_attributes_count: span.droppedAttributesCount,
    events: span.events.map((e) => ({
      name: e.name, time_unix_nano: fromHrTime(e.time), attributes: recordAttributes(e.attributes),
    })),
    links: span.links.map((l) => ({
      trace_id: l.context.traceId,
      span_id: l.context.spanId,
      trace_state: l.context.traceState ? l.context.traceState.serialize() : '',
      attributes: recordAttributes(l.attributes),
    })),
    resource: { attributes: resource },
    trace_state: ctx.traceState ? ctx.traceState.serialize() : '',
  };
}

// JSON with BigInt written as exact integers (nanosecond times do not fit a double).
function toJson(value) {
  const text = JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `__bigint__${v}` : v), 1);
  return text.replace(/"__bigint__(-?\d+)"/g, '$1');
}

function describeError(e) {
  if (e && e.message) return e.message;
  if (e && e.error && e.error.message) return e.error.message;
  return String(e);
}

function packageVersion(name) {
  const main = require.resolve(name);
  let dir = path.dirname(main);
  while (!fs.existsSync(path.join(dir, 'package.json')) ||
         JSON.parse(fs.readFileSync(path.join(dir, 'package.json'))).name !== name) {
    dir = path.dirname(dir);
  }
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'))).version;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const scenario = JSON.parse(fs.readFileSync(SCENARIO, 'utf8'));

  // The env detector reads OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME.
  const detected = resources.detectResources({ detectors: [resources.envDetector] });
  const tees = [];
  const providers = [];
  const tracers = {};
  for (const [name, attributes] of Object.entries(scenario.providers)) {
    const resource = resources.defaultResource().merge(detected)
        .merge(resources.resourceFromAttributes(attributes));
    if (resource.waitForAsyncAttributes) await resource.waitForAsyncAttributes();
    const tee = new TeeExporter(makeExporter(args.protocol, args.endpoint));
    const provider = new sdk.BasicTracerProvider({
      resource,
      spanProcessors: [new sdk.BatchSpanProcessor(tee)],
    });
    tracers[name] = provider.getTracer(scenario.tracer.name, scenario.tracer.version);
    tees.push(tee);
    providers.push(provider);
  }

  sendScenario(scenario, tracers);
  // A failed export rejects forceFlush; keep going so the record still gets written.
  const settled = [
    ...await Promise.allSettled(providers.map((p) => p.forceFlush())),
    ...await Promise.allSettled(providers.map((p) => p.shutdown())),
  ];

  const sent = tees.flatMap((t) => t.spans);
  const results = tees.flatMap((t) => t.results);
  const record = {
    sender: {
      language: 'node',
      sdk: `@opentelemetry/sdk-trace-base ${packageVersion('@opentelemetry/sdk-trace-base')}`,
      exporter: `${EXPORTER_PACKAGES[args.protocol]} ` +
                `${packageVersion(EXPORTER_PACKAGES[args.protocol])}`,
      protocol: args.protocol,
      endpoint: args.endpoint,
      node: process.version,
    },
    export_results: results.map((r) => (r.code === ExportResultCode.SUCCESS
      ? 'SUCCESS' : `FAILURE: ${r.error ? r.error.message : 'unknown'}`)),
    spans: sent.map(recordSpan),
  };
  fs.writeFileSync(args.expect_out, toJson(record) + '\n');

  const problems = settled.filter((s) => s.status === 'rejected')
      .map((s) => `flush/shutdown failed: ${describeError(s.reason)}`);
  if (results.some((r) => r.code !== ExportResultCode.SUCCESS)) {
    problems.push(`export results: ${JSON.stringify(record.export_results)}`);
  }
  if (sent.length !== scenario.spans.length) {
    problems.push(`exporter was handed ${sent.length} spans, scenario has ${scenario.spans.length}`);
  }
  for (const p of problems) console.error(`node_sender: ${p}`);
  const traces = new Set(record.spans.map((s) => s.trace_id)).size;
  console.log(`node_sender: ${sent.length} spans in ${traces} traces sent via ${args.protocol} ` +
              `to ${args.endpoint}`);
  return problems.length ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error(`node_sender: ${e.stack || e}`);
  process.exit(1);
});
