// The propagation check's queue edges: every delivery of a message to a CONSUMER span, judged on
// whether the consumer is connected to the message's PRODUCER span the way the scenario expects
// (a child of it, or linked to it), per producer service -> consumer service via a queue, with
// publish -> process latency. A batch consumer span processed several messages and links to each:
// every message is one delivery, connected when the span links to that message's producer.
// Fed per request (QueueEdgesTally); internal to the checks library; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "checks/check_util.h"
#include "checks/keyed_evidence.h"
#include "checks/run_data.h"
#include "checks/truth_join.h"

namespace traceproof::checks {

// One processing of one message by a CONSUMER span: the span itself for a single-message
// consumer, one entry of its batch for a batch consumer.
struct Delivery {
  const GroundTruthSpan* consumer = nullptr;
  std::uint64_t order = 0;  // recording position << 16 | batch entry: the run's delivery order
  SpanId producer;          // the PRODUCER span of the message (ground truth's expected parent)
  SpanId linked;            // the producer context the consumer span links to, if any
  bool redelivered = false;
  bool nacked = false;
};

// Every delivery in one request's ground truth, in its order (pointing into `request`).
std::vector<Delivery> Deliveries(const TruthRequest& request);

// One queue edge: producer service -> consumer service via a queue, per delivery.
struct QueueEdgeStats {
  std::string queue;
  std::uint64_t deliveries = 0;
  std::uint64_t by_parent = 0;  // consumer span is a child of the producer span
  std::uint64_t by_link = 0;    // consumer span links to the producer span
  std::uint64_t redelivered = 0;
  std::uint64_t broken = 0;              // not connected the way the scenario expects
  std::vector<std::int64_t> latency_ns;  // publish start -> process start
  std::vector<std::string> evidence;
};

struct QueueEdges {
  std::map<std::string, QueueEdgeStats> edges;  // by "producer → consumer via queue"
  std::uint64_t deliveries = 0;                 // over every edge
  std::uint64_t broken = 0;
};

// Queue edges as requests come out of the truth joiner. A batch consumer is a request of its
// own whose messages came from other requests: their PRODUCER spans are kept (service, trace,
// start) for the whole run, and a delivery whose producer has not come yet waits for it (or
// for the end, when it is judged with an unknown producer), so the figures do not depend on
// the order requests are handed out in.
class QueueEdgesTally {
 public:
  // `expect_links`: consumers must link to their producer (queues: { expect: link }), else be
  // its children.
  explicit QueueEdgesTally(bool expect_links) : expect_links_(expect_links) {}
  // Returns the traces correctly linked consumer spans of this request started.
  std::set<TraceId> Add(const TruthRequest& request, const std::vector<Delivery>& deliveries);
  QueueEdges Judge() const;

 private:
  struct Producer {
    std::string service;
    TraceId trace_id;
    std::uint64_t start_unix_ns = 0;
  };
  // What judging a delivery needs of its consumer span, while it waits for its producer.
  struct Waiting {
    std::string service, queue;
    TraceId trace_id;
    SpanId parent_span_id;
    std::uint64_t start_unix_ns = 0;
    bool batch = false;
    SpanId producer, linked;
    bool redelivered = false;
    std::uint64_t order = 0;
  };
  struct Edge {
    QueueEdgeStats stats;
    KeyedEvidence evidence;  // by delivery order
  };
  static Waiting WaitingOf(const Delivery& d);
  void Count(const Waiting& d, const Producer* producer, std::map<std::string, Edge>& edges) const;

  bool expect_links_;
  std::unordered_map<SpanId, Producer, IdHash> producers_;
  std::unordered_multimap<SpanId, Waiting, IdHash> waiting_;  // by producer span id
  std::map<std::string, Edge> edges_;
};

// summary.json's "queue_edges": one object per edge, with its publish -> process latency.
nlohmann::json QueueEdgesJson(const QueueEdges& queues, bool expect_links);

// "a → b via q: 3 of 10 messages not connected (why)", for each edge with broken deliveries.
std::vector<std::string> BrokenQueueEdgeReasons(const QueueEdges& queues, bool expect_links);

}  // namespace traceproof::checks
