#!/usr/bin/env node
// The middle of the SDK chain test: a plain node:http server instrumented the way users do it,
// with the official OpenTelemetry JS SDK (@opentelemetry/sdk-trace-node) and
// @opentelemetry/instrumentation-http. No propagation code of our own: the instrumentation
// extracts the incoming traceparent/tracestate into the SERVER span, and injects the CLIENT
// span's context into the outgoing request to the next service.
//
//   node tests/interop/chain/node_app.js --port PORT --next http://127.0.0.1:PORT/path \
//       --endpoint http://127.0.0.1:SINK_HTTP_PORT
//
// Every request it receives is answered with the status of one GET to --next. Spans go to
// --endpoint/v1/traces over OTLP/HTTP protobuf (@opentelemetry/exporter-trace-otlp-proto), as
// service.name "middle". It prints "listening on 127.0.0.1:PORT" when ready, and one line per
// request with the trace headers it saw and sent. SIGTERM: stop, flush the spans, exit 0.
//
// Exit codes: 0 after SIGTERM with every span exported; 1 an export failed; 2 usage/environment.
'use strict';

function usage(problem) {
  console.error(`node_app: ${problem}\nusage: node_app.js --port PORT --next URL --endpoint URL`);
  process.exit(2);
}

const args = {};
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    if (!['--port', '--next', '--endpoint', '--service', '--sdk-defaults'].includes(argv[i]) ||
        argv[i + 1] === undefined) {
      usage(`unexpected argument '${argv[i]}'`);
    }
    args[argv[i].slice(2)] = argv[i + 1];
  }
  if (!args.port || !args.next || !args.endpoint) usage('missing argument');
}

const { load, startTracing } = require('../node_tracing.js');
const { HttpInstrumentation } = load('node_app', '@opentelemetry/instrumentation-http');
// Created (and so enabled) before node:http is required: it patches the module as it loads.
// --sdk-defaults 1: the BatchSpanProcessor's own schedule (5 s, or OTEL_BSP_SCHEDULE_DELAY).
const { finish } = startTracing('node_app', args.service || 'middle', args.endpoint,
                                HttpInstrumentation, { sdkDefaults: args['sdk-defaults'] === '1' });
const http = require('http');

const next = new URL(args.next);

const server = http.createServer((req, res) => {
  req.resume();
  const seen = `traceparent=${req.headers.traceparent || '-'} ` +
               `tracestate=${req.headers.tracestate || '-'}`;
  const out = http.request(next, { method: 'GET', timeout: 10000 }, (back) => {
    back.resume();
    back.on('end', () => {
      const sent = out.getHeader('traceparent') || '-';
      console.log(`node_app: ${req.method} ${req.url} in: ${seen} out: traceparent=${sent} ` +
                  `tracestate=${out.getHeader('tracestate') || '-'} -> ${back.statusCode}`);
      res.writeHead(back.statusCode === 200 ? 200 : 502, { 'content-type': 'text/plain' });
      res.end(`next answered ${back.statusCode}\n`);
    });
  });
  out.on('timeout', () => out.destroy(new Error('timeout')));
  out.on('error', (e) => {
    console.log(`node_app: ${req.method} ${req.url} in: ${seen} -> next failed: ${e.message}`);
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`next failed: ${e.message}\n`);
  });
  out.end();
});

server.listen(Number(args.port), '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
server.on('error', (e) => {
  console.error(`node_app: ${e.message}`);
  process.exit(2);
});

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  finish(0, () => {
    server.close();
    server.closeAllConnections();
  });
});
