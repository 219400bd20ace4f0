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
  auto msg = std::make_shared<QueueMessage>(std::move(message));
  boost::asio::post(executor_, [handler, msg] { handler(std::move(*msg)); });
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
  for (auto& m : backlog) {
    auto msg = std::make_shared<QueueMessage>(std::move(m));
    boost::asio::post(executor_, [handler, msg] { handler(std::move(*msg)); });
  }
}

std::uint64_t InProcessQueue::published() const {
  std::lock_guard lock(mu_);
  return published_;
}

}  // namespace traceproof::mock
