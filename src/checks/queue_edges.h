// The propagation check's queue edges: every delivery of a message to a CONSUMER span, judged on
// whether the consumer is connected to the message's PRODUCER span the way the scenario expects
// (a child of it, or linked to it), per producer service -> consumer service via a queue, with
// publish -> process latency. A batch consumer span processed several messages and links to each:
// every message is one delivery, connected when the span links to that message's producer.
// Pure functions of RunData; internal to the checks library; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "checks/check_util.h"
#include "checks/run_data.h"

namespace traceproof::checks {

// One processing of one message by a CONSUMER span: the span itself for a single-message
// consumer, one entry of its batch for a batch consumer.
struct Delivery {
  const GroundTruthSpan* consumer = nullptr;
  SpanId producer;  // the PRODUCER span of the message (ground truth's expected parent)
  SpanId linked;    // the producer context the consumer span links to, if any
  bool redelivered = false;
  bool nacked = false;
};

// Every delivery in ground truth, in its order.
std::vector<Delivery> Deliveries(const RunData& data);

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
  std::set<TraceId> linked_traces;              // traces a correctly linked consumer span started
  std::uint64_t deliveries = 0;                 // over every edge
  std::uint64_t broken = 0;
};

// `expect_links`: consumers must link to their producer (queues: { expect: link }), else be its
// children.
QueueEdges JudgeQueueEdges(const TruthIndex& index, const std::vector<Delivery>& deliveries,
                           bool expect_links);

// summary.json's "queue_edges": one object per edge, with its publish -> process latency.
nlohmann::json QueueEdgesJson(const QueueEdges& queues, bool expect_links);

// "a → b via q: 3 of 10 messages not connected (why)", for each edge with broken deliveries.
std::vector<std::string> BrokenQueueEdgeReasons(const QueueEdges& queues, bool expect_links);

}  // namespace traceproof::checks
