// MessageQueue inside the process: a publish posts the delivery to an executor, so the
// consumer runs asynchronously after the publisher moved on, as it would across a broker.
// Like a broker, it takes a message back when the consumer settles it unprocessed (a nack with
// requeue) and delivers it again, flagged redelivered. Thread-safe.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <map>
#include <mutex>
#include <vector>

#include "mock_services/message_queue.h"

namespace traceproof::mock {

class InProcessQueue final : public MessageQueue {
 public:
  explicit InProcessQueue(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}
  bool Publish(std::string_view queue, QueueMessage message) override;
  void Subscribe(std::string_view queue, Handler handler) override;
  std::string_view system() const override { return "traceproof-inprocess"; }
  std::uint64_t published() const override;

 private:
  // Posts `message` to `handler` with a settle that hands it back for another delivery.
  void Deliver(std::string queue, const Handler& handler, QueueMessage message);

  boost::asio::any_io_executor executor_;
  mutable std::mutex mu_;
  std::map<std::string, Handler, std::less<>> handlers_;
  std::map<std::string, std::vector<QueueMessage>, std::less<>> pending_;
  std::uint64_t published_ = 0;
};

}  // namespace traceproof::mock
