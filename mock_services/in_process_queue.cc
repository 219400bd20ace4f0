#include "mock_services/in_process_queue.h"

#include <boost/asio/post.hpp>
#include <memory>

namespace traceproof::mock {

bool InProcessQueue::Publish(std::string_view queue, QueueMessage message) {
  Handler handler;
  {
    std::lock_guard lock(mu_);
    ++published_;
    auto it = handlers_.find(queue);
    if (it == handlers_.end()) {
      pending_[std::string(queue)].push_back(std::move(message));
      return true;
    }
    handler = it->second;
  }
  Deliver(std::string(queue), handler, std::move(message));
  return true;
}

void InProcessQueue::Subscribe(std::string_view queue, Handler handler) {
  std::vector<QueueMessage> backlog;
  {
    std::lock_guard lock(mu_);
    handlers_[std::string(queue)] = handler;
    if (auto it = pending_.find(queue); it != pending_.end()) {
      backlog = std::move(it->second);
      pending_.erase(it);
    }
  }
  for (auto& m : backlog) Deliver(std::string(queue), handler, std::move(m));
}

void InProcessQueue::Deliver(std::string queue, const Handler& handler, QueueMessage message) {
  // The settle callback keeps a copy of the message as published, to deliver it again.
  auto original = std::make_shared<QueueMessage>(message);
  original->settle = nullptr;
  message.settle = [this, queue, handler, original](bool processed) {
    if (processed) return;
    QueueMessage again = *original;
    again.redelivered = true;
    Deliver(queue, handler, std::move(again));
  };
  auto msg = std::make_shared<QueueMessage>(std::move(message));
  boost::asio::post(executor_, [handler, msg] { handler(std::move(*msg)); });
}

std::uint64_t InProcessQueue::published() const {
  std::lock_guard lock(mu_);
  return published_;
}

}  // namespace traceproof::mock
