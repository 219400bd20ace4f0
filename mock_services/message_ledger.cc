#include "mock_services/message_ledger.h"

#include <charconv>
#include <string>

#include "mock_services/harness_headers.h"

namespace traceproof::mock {

std::uint64_t MessageLedger::Track(QueueMessage& message) {
  std::lock_guard lock(mu_);
  const std::uint64_t id = ++next_id_;
  message.headers.emplace_back(std::string(kMessageIdHeader), std::to_string(id));
  awaiting_.insert(id);
  return id;
}

void MessageLedger::Forget(std::uint64_t id) {
  std::lock_guard lock(mu_);
  awaiting_.erase(id);
}

void MessageLedger::Processed(const QueueMessage& message) {
  for (const auto& [name, value] : message.headers) {
    if (name != kMessageIdHeader) continue;
    std::uint64_t id = 0;
    std::from_chars(value.data(), value.data() + value.size(), id);
    std::lock_guard lock(mu_);
    awaiting_.erase(id);
    return;
  }
}

std::size_t MessageLedger::awaiting() const {
  std::lock_guard lock(mu_);
  return awaiting_.size();
}

}  // namespace traceproof::mock
