// MessageQueue over a real AMQP 0-9-1 broker (RabbitMQ), with Debian's rabbitmq-c
// (librabbitmq). Headers travel as an AMQP headers table of strings (traceparent, tracestate,
// baggage and the harness's own); the queues are durable and messages persistent, on the
// default exchange. Publish() shares one connection behind a mutex, in publisher-confirm mode:
// it returns true only once the broker has acked the message (persisted it), so a message
// published in the moments before a broker restart is either confirmed (and survives) or
// reported failed, never silently lost. Subscribe() starts a
// consumer thread with its own connection per queue, which hands each delivery to `executor`'s
// handler and acks it when the handler settles it (nack with requeue: the broker redelivers).
// A lost connection is counted and reopened. rabbitmq-c connections are not thread-safe, which
// is why each one belongs to exactly one thread (or the publish mutex). Thread-safe.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "mock_services/message_queue.h"

namespace traceproof::mock {

struct AmqpQueueOptions {
  std::string url;     // amqp://user:password@host:port/vhost
  int prefetch = 256;  // unacked deliveries per consumer
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds confirm_timeout{5000};  // for the broker's ack of a publish
};

struct AmqpQueueStats {
  std::uint64_t published = 0;
  std::uint64_t publish_failed = 0;  // unreachable, connection broke, nacked or not confirmed
  std::uint64_t delivered = 0;
  std::uint64_t redelivered = 0;  // deliveries the broker flagged as redelivered
  std::uint64_t acked = 0;
  std::uint64_t nacked = 0;
  std::uint64_t reconnects = 0;
};

class AmqpQueue : public MessageQueue {
 public:
  virtual AmqpQueueStats amqp_stats() const = 0;
};

// nullptr with `error` set when the URL is invalid or the broker does not answer.
std::unique_ptr<AmqpQueue> MakeAmqpQueue(const AmqpQueueOptions& options,
                                         boost::asio::any_io_executor executor, std::string& error);

// Opens an AMQP connection and channel to `url` and closes them: true when the broker answers.
bool AmqpReachable(const std::string& url, std::chrono::milliseconds timeout, std::string& error);

}  // namespace traceproof::mock
