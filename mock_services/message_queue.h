// The queue seam: services publish messages with headers (where trace context travels) and
// consume them. Implementations: the in-process queue here, RabbitMQ over AMQP later. Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace traceproof::mock {

struct QueueMessage {
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // lowercase names
};

class MessageQueue {
 public:
  using Handler = std::function<void(QueueMessage)>;
  virtual ~MessageQueue() = default;
  virtual void Publish(std::string_view queue, QueueMessage message) = 0;
  // One handler per queue; messages published before Subscribe are kept and delivered after.
  virtual void Subscribe(std::string_view queue, Handler handler) = 0;
};

}  // namespace traceproof::mock
