// The propagation check's queue delivery reconciliation: per queue, every PRODUCER span in ground
// truth is a message the services tried to publish, and its deliveries (consumer spans, or batch
// entries, whose producer is that span) say how often it was processed: once, more than once
// (redelivered), or never. A publish the broker did not confirm ends its producer span in error:
// the services know it failed (they count it), so it is not "lost" even when it is never
// processed. A delivery the consumer nacked was processed but handed back: a message whose only
// deliveries were nacked was never processed for good. Lost: confirmed and never processed for
// good. Fed per request (QueueMessagesTally); internal to the checks library; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "checks/queue_edges.h"
#include "checks/run_data.h"

namespace traceproof::checks {

struct QueueMessages {
  std::uint64_t published = 0;  // producer spans
  std::uint64_t publish_failed = 0;
  std::uint64_t processed_once = 0;
  std::uint64_t processed_more = 0;      // more than once (redelivered)
  std::uint64_t failed_unprocessed = 0;  // publish failed and never processed
  std::uint64_t lost = 0;                // published, confirmed, never processed for good
  std::uint64_t nacked_unprocessed = 0;  // of the lost: nacked, never delivered again
  std::uint64_t consumer_spans = 0;
  std::uint64_t deliveries = 0;
  std::uint64_t redelivered_deliveries = 0;  // flagged redelivered by the queue
  std::uint64_t nacked_deliveries = 0;       // handed back by the consumer (nack_first)
  std::vector<std::string> lost_evidence;
};

struct ReconciledQueues {
  std::map<std::string, QueueMessages> queues;  // by queue name
  std::uint64_t published = 0;                  // over every queue
  std::uint64_t lost = 0;
  std::uint64_t redelivered = 0;  // messages processed more than once
};

// Per queue, by exact matching of deliveries to producer spans, as requests come out of the
// truth joiner. A message may be delivered again long after it was published, and a batch
// consumer's messages come from other requests, so every published message (queue, span id,
// trace id) and every producer's delivery count are kept to the end of the run.
class QueueMessagesTally {
 public:
  void Add(const TruthRequest& request, const std::vector<Delivery>& deliveries);
  // Queues nobody published to in ground truth (an uninstrumented producer) cannot be
  // reconciled, nor can queues whose consumer is not instrumented: they are left out.
  ReconciledQueues Judge() const;
  bool any_consumer() const { return any_consumer_; }

 private:
  struct Processed {
    std::uint64_t deliveries = 0, acked = 0;
  };
  struct Published {
    std::uint64_t position = 0;
    std::string queue;
    bool failed = false;
    SpanId span_id;
    TraceId trace_id;
  };
  std::map<std::string, QueueMessages> queues_;              // consumer spans and deliveries so far
  std::unordered_map<SpanId, Processed, IdHash> processed_;  // by producer span
  std::vector<Published> published_;
  bool any_consumer_ = false;
};

// summary.json's "queue_messages": one object per queue.
nlohmann::json QueueMessagesJson(const ReconciledQueues& reconciled);

// "q: 10 messages published, 9 processed once, ...", one per queue.
std::vector<std::string> QueueMessagesReasons(const ReconciledQueues& reconciled);

}  // namespace traceproof::checks
