// The messages published and not yet processed once, so stopping the services can wait until
// every message has been (a redelivered message counts once, however often it comes). A publish
// step tracks each message before it hands it to the queue; a consumer marks it processed when
// it acks it. Thread-safe: publishers and consumers run on every service thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <set>

#include "mock_services/message_queue.h"

namespace traceproof::mock {

class MessageLedger {
 public:
  // Gives `message` its id header; it awaits processing from now on. Returns the id.
  std::uint64_t Track(QueueMessage& message);
  // The queue did not take it: nothing to wait for (the broker may still deliver it: a bonus).
  void Forget(std::uint64_t id);
  void Processed(const QueueMessage& message);  // by its id header; untracked ones are ignored
  std::size_t awaiting() const;

 private:
  mutable std::mutex mu_;
  std::uint64_t next_id_ = 0;
  std::set<std::uint64_t> awaiting_;
};

}  // namespace traceproof::mock
