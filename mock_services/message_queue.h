// The queue seam: services publish messages with headers (where trace context travels) and
// consume them. Implementations: the in-process queue (in_process_queue.h) and RabbitMQ over
// AMQP (amqp_queue.h). Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace traceproof::mock {

struct QueueMessage {
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // lowercase names
  bool redelivered = false;  // the broker delivered it before (after a nack or a lost consumer)
  // Set by queues that acknowledge: the consumer calls it once when done, true when processed
  // (ack), false to hand the message back for redelivery (nack with requeue). May be empty.
  std::function<void(bool processed)> settle;
};

class MessageQueue {
 public:
  using Handler = std::function<void(QueueMessage)>;
  virtual ~MessageQueue() = default;
  // false when the message could not be handed to the queue (broker unreachable).
  virtual bool Publish(std::string_view queue, QueueMessage message) = 0;
  // One handler per queue; messages published before Subscribe are kept and delivered after.
  virtual void Subscribe(std::string_view queue, Handler handler) = 0;
  virtual std::string_view system() const = 0;  // messaging.system, e.g. "rabbitmq"
  virtual std::uint64_t published() const = 0;
};

}  // namespace traceproof::mock
