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

std::vector<Delivery> Deliveries(const TruthRequest& request) {
  std::vector<Delivery> out;
  for (std::size_t i = 0; i < request.spans.size(); ++i) {
    const GroundTruthSpan& s = request.spans[i];
    if (s.queue.empty() || s.kind != SpanKind::kConsumer) continue;
    const std::uint64_t order = request.positions[i] << 16;
    if (s.batch.empty()) {
      out.push_back(
          {&s, order, s.expected_parent_span_id, s.linked_span_id, s.redelivered, s.nacked});
      continue;
    }
    for (std::size_t m = 0; m < s.batch.size(); ++m) {
      const BatchMessage& b = s.batch[m];
      out.push_back({&s, order | m, b.producer_span_id, b.linked_span_id, b.redelivered, b.nacked});
    }
  }
  return out;
}

QueueEdgesTally::Waiting QueueEdgesTally::WaitingOf(const Delivery& d) {
  const GroundTruthSpan& s = *d.consumer;
  return Waiting{s.service,        s.queue,    s.trace_id, s.parent_span_id, s.start_unix_ns,
                 !s.batch.empty(), d.producer, d.linked,   d.redelivered,    d.order};
}

void QueueEdgesTally::Count(const Waiting& d, const Producer* producer,
                            std::map<std::string, Edge>& edges) const {
  Edge& e = edges[(producer ? producer->service : std::string("(unknown)")) + " \u2192 " +
                  d.service + " via " + d.queue];
  QueueEdgeStats& q = e.stats;
  q.queue = d.queue;
  ++q.deliveries;
  q.redelivered += d.redelivered ? 1 : 0;
  const bool by_parent =
      !d.batch && d.parent_span_id == d.producer && producer && producer->trace_id == d.trace_id;
  const bool by_link = d.linked.IsValid() && d.linked == d.producer;
  q.by_parent += by_parent ? 1 : 0;
  q.by_link += by_link ? 1 : 0;
  if (!(expect_links_ ? by_link : by_parent)) {
    ++q.broken;
    std::vector<TraceId> ids{d.trace_id};
    if (producer) ids.push_back(producer->trace_id);
    e.evidence.Add(d.order, std::move(ids));
  }
  if (producer && d.start_unix_ns >= producer->start_unix_ns)
    q.latency_ns.push_back(static_cast<std::int64_t>(d.start_unix_ns - producer->start_unix_ns));
}

std::set<TraceId> QueueEdgesTally::Add(const TruthRequest& request,
                                       const std::vector<Delivery>& deliveries) {
  // This request's spans first: a message's producer is usually in the request that consumed
  // it (the harness headers carry the request id), and a waiting delivery may be its message's.
  const TruthIndex index(request.spans);
  for (const GroundTruthSpan& s : request.spans) {
    if (s.queue.empty() || s.kind != SpanKind::kProducer) continue;
    const Producer& p =
        producers_.try_emplace(s.span_id, Producer{s.service, s.trace_id, s.start_unix_ns})
            .first->second;
    const auto [first, last] = waiting_.equal_range(s.span_id);
    for (auto it = first; it != last; ++it) Count(it->second, &p, edges_);
    waiting_.erase(first, last);
  }
  std::set<TraceId> linked;
  for (const Delivery& d : deliveries) {
    if (!d.producer.IsValid()) continue;
    const GroundTruthSpan& s = *d.consumer;
    if (d.linked.IsValid() && d.linked == d.producer && !s.parent_span_id.IsValid() &&
        expect_links_)
      linked.insert(s.trace_id);
    Producer local;
    const Producer* producer = nullptr;
    if (const GroundTruthSpan* p = index.Find(d.producer)) {
      local = Producer{p->service, p->trace_id, p->start_unix_ns};
      producer = &local;
    } else if (const auto it = producers_.find(d.producer); it != producers_.end()) {
      producer = &it->second;
    }
    if (producer) {
      Count(WaitingOf(d), producer, edges_);
    } else {
      waiting_.emplace(d.producer, WaitingOf(d));
    }
  }
  return linked;
}

QueueEdges QueueEdgesTally::Judge() const {
  std::map<std::string, Edge> edges = edges_;
  // Never came: judged with an unknown producer, as a walk over the whole run would.
  for (const auto& [producer, d] : waiting_) Count(d, nullptr, edges);
  QueueEdges out;
  for (auto& [name, e] : edges) {
    e.stats.evidence = e.evidence.Ids();
    out.deliveries += e.stats.deliveries;
    out.broken += e.stats.broken;
    out.edges[name] = std::move(e.stats);
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
