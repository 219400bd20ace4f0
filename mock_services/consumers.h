// Queue consumers. A message is processed under one CONSUMER span: the child of the producer's
// context, or a new trace linked to it (link: true); a batch consumer gathers up to batch_size
// messages, or what arrived batch_wait after the first of them, and processes them under one
// span that starts a new trace and links every message's producer (messaging semantic
// conventions, batch process); either way the consumer's steps run once per span. Then each
// message is settled: acked, or under nack_first handed back for redelivery, and once acked it
// no longer holds up a graceful stop (MessageLedger). Faults applied here: ignore_queue_headers
// (the trace headers are not read), detached_span (the span starts a new trace), nack_first.
// ConsumeMessage and ConsumeBatch run on a service thread's io_context; ConsumerRuntime::Deliver
// is called from the queue's thread and is thread-safe.
#pragma once

// clang-format off: must come before any Boost.Asio header
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <mutex>
#include <vector>

#include "graph/service_graph.h"
#include "mock_services/io_context_pool.h"
#include "mock_services/message_queue.h"
#include "mock_services/step_context.h"

namespace traceproof::mock {

boost::asio::awaitable<void> ConsumeMessage(const Consumer& consumer, QueueMessage message,
                                            const StepContext& ctx);
boost::asio::awaitable<void> ConsumeBatch(const Consumer& consumer, std::vector<QueueMessage> batch,
                                          const StepContext& ctx);

// One consumer of a queue, as the queue's handler sees it: a delivery is processed at once on
// the next service thread, or, for a batch consumer, gathered into the batch being filled.
class ConsumerRuntime {
 public:
  // All three outlive the runtime's use (the pool's contexts).
  ConsumerRuntime(const Consumer& consumer, const StepContext& ctx, IoContextPool& pool)
      : consumer_(consumer), ctx_(ctx), pool_(pool) {}

  void Deliver(QueueMessage message);

 private:
  void AddToBatch(QueueMessage message);
  boost::asio::awaitable<void> FlushAfterWait(std::uint64_t number);

  const Consumer& consumer_;
  const StepContext& ctx_;
  IoContextPool& pool_;
  std::mutex mu_;
  std::vector<QueueMessage> gathered_;  // the batch being filled
  std::uint64_t number_ = 0;  // of the batch being gathered, so a late timer flushes nothing
};

}  // namespace traceproof::mock
