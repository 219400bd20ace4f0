#!/usr/bin/env node
// checkout: the user's own service in scenarios/app-node-checkout*.yaml, a plain node:http server
// traced with the official OpenTelemetry JS SDK and @opentelemetry/instrumentation-http, set up
// from the OTEL_* variables `traceproof run` sets (tracing.js). No propagation code of its own:
// the instrumentation extracts the incoming traceparent into the SERVER span and injects the
// CLIENT span's context into the call to payments.
//
//   node scenarios/apps/checkout.js --port PORT --payments http://127.0.0.1:PORT
//
// CHECKOUT_HTTP_CLIENT_TRACING=off disables the instrumentation of outgoing requests
// (disableOutgoingRequestInstrumentation): the call to payments carries no trace context, the
// bug the broken scenario shows. GET /health (not traced) answers 200. SIGTERM: flush the spans, exit 0.
'use strict';

const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) args[process.argv[i].slice(2)] = process.argv[i + 1];
if (!args.port || !args.payments) {
  console.error('usage: checkout.js --port PORT --payments URL');
  process.exit(2);
}

const { load, startTracing } = require('./tracing.js');
const { HttpInstrumentation } = load('checkout', '@opentelemetry/instrumentation-http');
const clientTracing = process.env.CHECKOUT_HTTP_CLIENT_TRACING !== 'off';
// Created (and so enabled) before node:http is required: it patches the module as it loads.
const finish = startTracing('checkout', [
  new HttpInstrumentation({
    disableOutgoingRequestInstrumentation: !clientTracing,
    // The readiness probe is not traced: its trace would count among the run's.
    ignoreIncomingRequestHook: (req) => req.url === '/health',
  }),
]);
const http = require('http');
console.log(`checkout: http client tracing ${clientTracing ? 'on' : 'off'}`);

const charge = new URL('/charge', args.payments);

const server = http.createServer((req, res) => {
  req.resume();
  if (req.method === 'GET' && req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return;
  }
  const out = http.request(charge, { method: 'POST', timeout: 10000 }, (back) => {
    back.resume();
    back.on('end', () => {
      res.writeHead(back.statusCode === 200 ? 200 : 502, { 'content-type': 'text/plain' });
      res.end(`payments answered ${back.statusCode}\n`);
    });
  });
  out.on('timeout', () => out.destroy(new Error('timeout')));
  out.on('error', (e) => {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`payments failed: ${e.message}\n`);
  });
  out.end();
});

server.listen(Number(args.port), '127.0.0.1', () => {
  console.log(`checkout: listening on 127.0.0.1:${server.address().port}`);
});
server.on('error', (e) => {
  console.error(`checkout: ${e.message}`);
  process.exit(2);
});
process.on('SIGTERM', () => finish(() => { server.close(); server.closeAllConnections(); }));
