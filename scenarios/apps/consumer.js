#!/usr/bin/env node
// fulfilment: the user's own queue consumer in scenarios/app-node-amqp-consumer.yaml, an amqplib
// client traced with the official OpenTelemetry JS SDK and @opentelemetry/instrumentation-amqplib
// (set up from the OTEL_* variables `traceproof run` sets, tracing.js). No propagation code of its
// own: the instrumentation extracts the producer's context from the message headers as the parent
// of its CONSUMER span. Consumes --queue (durable, as traceproof declares it) from the run's broker
// (--url, TRACEPROOF_AMQP_URL) and acks each message, which ends the span. Ready when its --port
// answers (a TCP listener that only says it is subscribed). SIGTERM: close, flush, exit 0.
//
//   node scenarios/apps/consumer.js [--url AMQP_URL] --queue Q --port PORT
'use strict';

const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) args[process.argv[i].slice(2)] = process.argv[i + 1];
args.url = args.url || process.env.TRACEPROOF_AMQP_URL;  // set by `traceproof run`
if (!args.url || !args.queue || !args.port) {
  console.error('usage: consumer.js [--url AMQP_URL] --queue Q --port PORT');
  process.exit(2);
}

const { load, startTracing } = require('./tracing.js');
const { AmqplibInstrumentation } = load('consumer', '@opentelemetry/instrumentation-amqplib');
// Enabled before amqplib is required: it patches the module as it loads.
// OTEL_NODE_DISABLED_INSTRUMENTATIONS=amqplib (as @opentelemetry/auto-instrumentations-node
// reads it) leaves amqplib untraced: no consumer spans at all.
const disabled = (process.env.OTEL_NODE_DISABLED_INSTRUMENTATIONS || '').split(',').map((s) => s.trim());
const finish = startTracing('consumer',
                            disabled.includes('amqplib') ? [] : [new AmqplibInstrumentation()]);
const amqp = require('amqplib');
const net = require('net');

async function main() {
  const connection = await amqp.connect(args.url);
  const channel = await connection.createChannel();
  await channel.assertQueue(args.queue, { durable: true });
  await channel.prefetch(64);
  let received = 0;
  await channel.consume(args.queue, (msg) => {
    if (!msg) return;
    received += 1;
    channel.ack(msg);
  }, { noAck: false });
  // Listens only once it consumes: the run's readiness test is a TCP connect.
  const ready = net.createServer((s) => s.end('consuming\n'));
  ready.listen(Number(args.port), '127.0.0.1',
               () => console.log(`consumer: consuming ${args.queue}`));
  process.on('SIGTERM', () => finish(async () => {
    console.log(`consumer: ${received} messages`);
    ready.close();
    await connection.close();
  }));
}

main().catch((e) => {
  console.error(`consumer: ${e && e.message}`);
  process.exit(1);
});
