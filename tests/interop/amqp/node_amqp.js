#!/usr/bin/env node
// The Node side of the AMQP interop test (run_amqp.py): an amqplib client traced the way users
// do it, with the official OpenTelemetry JS SDK (@opentelemetry/sdk-trace-node) and
// @opentelemetry/instrumentation-amqplib. No propagation code of our own: the instrumentation
// injects the publish span's context into the message headers, and on consume extracts it as
// the parent of its "<queue> process" CONSUMER span (its default; useLinksForConsume is off).
//
//   node node_amqp.js --role consumer --url AMQP_URL --queue Q --count N --endpoint URL
//       consumes from Q (durable, as traceproof declares it), acks each message (which ends
//       its span), prints "consuming Q" when subscribed and one line per message with the
//       headers it got; after N messages prints "received N" and keeps running until SIGTERM.
//   node node_amqp.js --role producer --url AMQP_URL --queue Q --count N --endpoint URL
//       publishes N persistent messages to Q on the default exchange, prints "published N",
//       then flushes its spans and exits.
//
// Spans go to --endpoint/v1/traces over OTLP/HTTP protobuf as service.name "node-consumer" or
// "node-producer". SIGTERM (consumer): close the channel, flush the spans, exit 0.
// Exit codes: 0 done with every span exported; 1 an AMQP or export failure; 2 usage/environment.
'use strict';

function usage(problem) {
  console.error(`node_amqp: ${problem}\nusage: node_amqp.js --role consumer|producer ` +
                '--url AMQP_URL --queue Q --count N --endpoint URL');
  process.exit(2);
}

const args = {};
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    if (!['--role', '--url', '--queue', '--count', '--endpoint'].includes(argv[i]) ||
        argv[i + 1] === undefined) {
      usage(`unexpected argument '${argv[i]}'`);
    }
    args[argv[i].slice(2)] = argv[i + 1];
  }
  if (!['consumer', 'producer'].includes(args.role)) usage('--role consumer|producer');
  if (!args.url || !args.queue || !args.count || !args.endpoint) usage('missing argument');
  args.count = Number(args.count);
}

const { load, startTracing } = require('../node_tracing.js');
const { AmqplibInstrumentation } = load('node_amqp', '@opentelemetry/instrumentation-amqplib');
// Enabled before amqplib is required: it patches the module as it loads.
const tracing = startTracing('node_amqp', `node-${args.role}`, args.endpoint,
                             AmqplibInstrumentation);
const amqp = require('amqplib');

function header(headers, name) {
  const v = headers && headers[name];
  return v === undefined ? '-' : Buffer.isBuffer(v) ? v.toString() : String(v);
}

function finish(code, connection) {
  tracing.finish(code, () => connection && connection.close());
}

async function consume() {
  const connection = await amqp.connect(args.url);
  const channel = await connection.createChannel();
  await channel.assertQueue(args.queue, { durable: true });
  await channel.prefetch(64);
  let received = 0;
  await channel.consume(args.queue, (msg) => {
    if (!msg) return;  // the broker cancelled the consumer
    const h = msg.properties.headers;
    received += 1;
    console.log(`node_amqp: message ${received} traceparent=${header(h, 'traceparent')} ` +
                `tracestate=${header(h, 'tracestate')} redelivered=${msg.fields.redelivered}`);
    channel.ack(msg);  // ends the instrumentation's process span
    if (received === args.count) console.log(`received ${received}`);
  }, { noAck: false });
  console.log(`consuming ${args.queue}`);
  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    finish(0, connection);
  });
}

async function produce() {
  const connection = await amqp.connect(args.url);
  const channel = await connection.createChannel();
  await channel.assertQueue(args.queue, { durable: true });
  for (let i = 1; i <= args.count; i += 1) {
    // The instrumentation starts a PRODUCER span "publish <default>" and injects its context
    // into options.headers.
    channel.sendToQueue(args.queue, Buffer.from(`order ${i}`), { persistent: true, headers: {} });
  }
  await channel.close();  // waits until the broker has the messages
  console.log(`published ${args.count}`);
  finish(0, connection);
}

(args.role === 'consumer' ? consume() : produce()).catch((e) => {
  console.error(`node_amqp: ${e && e.message}`);
  process.exit(1);
});
