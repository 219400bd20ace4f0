#include "checks/queue_edges.h"

#include <fmt/format.h>

#include <algorithm>

namespace traceproof::checks {

namespace {

// Publish -> process latency as a histogram with fixed millisecond bounds, plus percentiles.
nlohmann::json LatencyJson(std::vector<std::int64_t> ns) {
  std::sort(ns.begin(), ns.end());
  static const std::vector<double> kBoundsMs = {0.5, 1,   2,   5,    10,   20,   50,
                                                100, 200, 500, 1000, 2000, 5000, 10000};
  nlohmann::json buckets = nlohmann::json::array();
  std::size_t i = 0;
  for (double bound : kBoundsMs) {
    std::uint64_t n = 0;
    while (i < ns.size() && static_cast<double>(ns[i]) <= bound * 1e6) ++i, ++n;
    buckets.push_back({{"le_ms", bound}, {"count", n}});
  }
  buckets.push_back({{"le_ms", "inf"}, {"count", ns.size() - i}});
  auto ms = [&](double p) { return PercentileOfSorted(ns, p) / 1e6; };
  return {{"count", ns.size()},
          {"p50_ms", ms(50)},
          {"p90_ms", ms(90)},
          {"p99_ms", ms(99)},
          {"max_ms", ns.empty() ? 0.0 : ns.back() / 1e6},
          {"histogram", buckets}};
}

}  // namespace

std::vector<Delivery> Deliveries(const RunData& data) {
  std::vector<Delivery> out;
  for (const GroundTruthSpan& s : data.truth) {
    if (s.queue.empty() || s.kind != SpanKind::kConsumer) continue;
    if (s.batch.empty()) {
      out.push_back({&s, s.expected_parent_span_id, s.linked_span_id, s.redelivered, s.nacked});
      continue;
    }
    for (const BatchMessage& m : s.batch)
      out.push_back({&s, m.producer_span_id, m.linked_span_id, m.redelivered, m.nacked});
  }
  return out;
}

QueueEdges JudgeQueueEdges(const TruthIndex& index, const std::vector<Delivery>& deliveries,
                           bool expect_links) {
  QueueEdges out;
  for (const Delivery& d : deliveries) {
    const GroundTruthSpan& s = *d.consumer;
    if (!d.producer.IsValid()) continue;
    const GroundTruthSpan* producer = index.Find(d.producer);
    QueueEdgeStats& q = out.edges[(producer ? producer->service : std::string("(unknown)")) +
                                  " \u2192 " + s.service + " via " + s.queue];
    q.queue = s.queue;
    ++q.deliveries;
    q.redelivered += d.redelivered ? 1 : 0;
    const bool by_parent = s.batch.empty() && s.parent_span_id == d.producer && producer &&
                           producer->trace_id == s.trace_id;
    const bool by_link = d.linked.IsValid() && d.linked == d.producer;
    q.by_parent += by_parent ? 1 : 0;
    q.by_link += by_link ? 1 : 0;
    if (by_link && !s.parent_span_id.IsValid() && expect_links)
      out.linked_traces.insert(s.trace_id);
    if (!(expect_links ? by_link : by_parent)) {
      ++q.broken;
      AddEvidence(q.evidence, s.trace_id);
      if (producer) AddEvidence(q.evidence, producer->trace_id);
    }
    if (producer && s.start_unix_ns >= producer->start_unix_ns)
      q.latency_ns.push_back(static_cast<std::int64_t>(s.start_unix_ns - producer->start_unix_ns));
  }
  for (const auto& [name, q] : out.edges) {
    out.deliveries += q.deliveries;
    out.broken += q.broken;
  }
  return out;
}

nlohmann::json QueueEdgesJson(const QueueEdges& queues, bool expect_links) {
  nlohmann::json json = nlohmann::json::array();
  for (const auto& [name, q] : queues.edges) {
    json.push_back(
        {{"edge", name},
         {"queue", q.queue},
         {"expect", expect_links ? "link" : "child"},
         {"deliveries", q.deliveries},
         {"redelivered", q.redelivered},
         {"connected", q.deliveries - q.broken},
         {"by_parent", q.by_parent},
         {"by_link", q.by_link},
         {"broken", q.broken},
         {"connected_share", q.deliveries ? static_cast<double>(q.deliveries - q.broken) /
                                                static_cast<double>(q.deliveries)
                                          : 1.0},
         {"publish_to_process", LatencyJson(q.latency_ns)}});
  }
  return json;
}

std::vector<std::string> BrokenQueueEdgeReasons(const QueueEdges& queues, bool expect_links) {
  std::vector<std::string> parts;
  for (const auto& [name, q] : queues.edges) {
    if (q.broken == 0) continue;
    std::string why;
    if (expect_links && q.by_parent > 0) {
      why = fmt::format("{} consumer spans are children of the producer, want a link", q.by_parent);
    } else if (!expect_links && q.by_link > 0) {
      why = fmt::format("{} messages linked by their consumer span, want a child", q.by_link);
    } else {
      why = "the consumer span is neither a child of the producer nor linked to it";
    }
    parts.push_back(
        fmt::format("{}: {} of {} messages not connected ({})", name, q.broken, q.deliveries, why));
  }
  return parts;
}

}  // namespace traceproof::checks
