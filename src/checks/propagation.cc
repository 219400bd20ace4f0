// propagation: did context survive every hop? Judged against ground truth, which knows for each
// span the parent it should have had and the load request it belongs to, so a broken trace is
// blamed on the precise edge ("gateway -> orders: 37 broken of 2000 requests") rather than
// guessed from orphans in the sink. Queue edges (a PRODUCER publish span and the CONSUMER span
// that processed the message) are judged per message against what the scenario expects of the
// consumer: a child of the producer (`queues: { expect: child }`, the default) or a new trace
// with a link to it (`expect: link`); a consumer connected the other way counts as broken too.
// A batch consumer span processed several messages and links to each: every message is one
// delivery, connected when the span links to that message's producer.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "checks/check_util.h"
#include "checks/make_check.h"
#include "checks/propagation_spec.h"
#include "otlp/span_details.h"
#include "store/trace_shape.h"

namespace traceproof {

namespace {

using checks::AddEvidence;

// One processing of one message by a CONSUMER span: the span itself for a single-message
// consumer, one entry of its batch for a batch consumer.
struct Delivery {
  const GroundTruthSpan* consumer = nullptr;
  SpanId producer;  // the PRODUCER span of the message (ground truth's expected parent)
  SpanId linked;    // the producer context the consumer span links to, if any
  bool redelivered = false;
  bool nacked = false;
};

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

// One queue's messages reconciled with ground truth: every PRODUCER span is a message the
// services tried to publish; its deliveries (consumer spans, or batch entries, whose producer
// is that span) say how often it was processed. A publish the broker did not confirm ends its
// producer span in error: the services know it failed (they count it), so it is not "lost" even
// when it is never processed. A delivery the consumer nacked was processed but handed back: a
// message whose only deliveries were nacked was never processed for good. Lost: confirmed and
// never processed for good.
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

// Per queue, by exact matching of deliveries to producer spans in ground truth.
std::map<std::string, QueueMessages> ReconcileQueues(const RunData& data,
                                                     const std::vector<Delivery>& deliveries) {
  struct Processed {
    std::uint64_t deliveries = 0, acked = 0;
  };
  std::unordered_map<SpanId, Processed, IdHash> processed;  // by producer span
  std::map<std::string, QueueMessages> queues;
  for (const GroundTruthSpan& s : data.truth)
    if (!s.queue.empty() && s.kind == SpanKind::kConsumer) ++queues[s.queue].consumer_spans;
  for (const Delivery& d : deliveries) {
    QueueMessages& q = queues[d.consumer->queue];
    ++q.deliveries;
    q.redelivered_deliveries += d.redelivered ? 1 : 0;
    q.nacked_deliveries += d.nacked ? 1 : 0;
    if (!d.producer.IsValid()) continue;
    Processed& p = processed[d.producer];
    ++p.deliveries;
    p.acked += d.nacked ? 0 : 1;
  }
  for (const GroundTruthSpan& s : data.truth) {
    if (s.queue.empty() || s.kind != SpanKind::kProducer) continue;
    QueueMessages& q = queues[s.queue];
    ++q.published;
    const bool failed = s.status == StatusCode::kError;
    q.publish_failed += failed ? 1 : 0;
    const auto it = processed.find(s.span_id);
    const Processed p = it == processed.end() ? Processed{} : it->second;
    if (p.acked > 0 && p.deliveries == 1) {
      ++q.processed_once;
    } else if (p.acked > 0) {
      ++q.processed_more;
    } else if (failed) {
      ++q.failed_unprocessed;
    } else {
      ++q.lost;
      q.nacked_unprocessed += p.deliveries > 0 ? 1 : 0;
      AddEvidence(q.lost_evidence, s.trace_id);
    }
  }
  // Queues nobody published to in ground truth (an uninstrumented producer) cannot be
  // reconciled; neither can queues whose consumer is not instrumented.
  std::erase_if(queues, [](const auto& e) {
    return e.second.published == 0 || e.second.consumer_spans == 0;
  });
  return queues;
}

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
  auto ms = [&](double p) { return checks::PercentileOfSorted(ns, p) / 1e6; };
  return {{"count", ns.size()},
          {"p50_ms", ms(50)},
          {"p90_ms", ms(90)},
          {"p99_ms", ms(99)},
          {"max_ms", ns.empty() ? 0.0 : ns.back() / 1e6},
          {"histogram", buckets}};
}

struct EdgeStats {
  std::set<std::uint64_t> requests;
  std::set<std::uint64_t> broken;
  std::vector<std::string> evidence;
};

struct RequestInfo {
  std::set<TraceId> trace_ids;  // of its exported spans
  int emitted_roots = 0;        // exported spans emitted without a parent
};

bool HasFault(const GroundTruthSpan& s, std::string_view fault) {
  return std::find(s.faults.begin(), s.faults.end(), fault) != s.faults.end();
}

class PropagationCheck final : public Check {
 public:
  explicit PropagationCheck(PropagationSpec spec) : spec_(std::move(spec)) {}

  CheckResult Run(const RunData& data) const override {
    CheckResult r;
    r.kind = "propagation";
    r.pos = spec_.pos;
    r.label = "broken_traces " + spec_.broken_traces.text;
    if (spec_.detached) r.label += ", detached " + spec_.detached->text;
    if (spec_.tracestate) r.label += ", tracestate carried to children";
    const bool any_queue = std::any_of(data.truth.begin(), data.truth.end(), [](const auto& s) {
      return !s.queue.empty() && s.kind == SpanKind::kConsumer;
    });
    if (any_queue)
      r.label += spec_.expect_links ? ", queue consumers linked" : ", queue consumers as children";

    std::unordered_map<SpanId, std::size_t, IdHash> by_id;
    by_id.reserve(data.truth.size());
    for (std::size_t i = 0; i < data.truth.size(); ++i) by_id.emplace(data.truth[i].span_id, i);

    std::map<std::string, EdgeStats> edges;
    std::map<std::string, QueueEdgeStats> queue_edges;
    std::set<TraceId> linked_traces;  // traces a correctly linked consumer span started
    std::map<std::uint64_t, RequestInfo> requests;
    std::uint64_t detached = 0, with_expected_parent = 0;
    std::vector<std::string> detached_evidence;
    const std::vector<Delivery> deliveries = Deliveries(data);
    for (const Delivery& d : deliveries) {
      const GroundTruthSpan& s = *d.consumer;
      if (!d.producer.IsValid()) continue;
      auto it = by_id.find(d.producer);
      const GroundTruthSpan* producer = it == by_id.end() ? nullptr : &data.truth[it->second];
      QueueEdgeStats& q = queue_edges[(producer ? producer->service : std::string("(unknown)")) +
                                      " \u2192 " + s.service + " via " + s.queue];
      q.queue = s.queue;
      ++q.deliveries;
      q.redelivered += d.redelivered ? 1 : 0;
      const bool by_parent = s.batch.empty() && s.parent_span_id == d.producer && producer &&
                             producer->trace_id == s.trace_id;
      const bool by_link = d.linked.IsValid() && d.linked == d.producer;
      q.by_parent += by_parent ? 1 : 0;
      q.by_link += by_link ? 1 : 0;
      if (by_link && !s.parent_span_id.IsValid() && spec_.expect_links)
        linked_traces.insert(s.trace_id);
      if (!(spec_.expect_links ? by_link : by_parent)) {
        ++q.broken;
        AddEvidence(q.evidence, s.trace_id);
        if (producer) AddEvidence(q.evidence, producer->trace_id);
      }
      if (producer && s.start_unix_ns >= producer->start_unix_ns)
        q.latency_ns.push_back(
            static_cast<std::int64_t>(s.start_unix_ns - producer->start_unix_ns));
    }
    for (const GroundTruthSpan& s : data.truth) {
      const bool linked_segment = linked_traces.contains(s.trace_id);
      if (s.exported && !linked_segment) {
        RequestInfo& req = requests[s.request_id];
        req.trace_ids.insert(s.trace_id);
        if (!s.parent_span_id.IsValid()) ++req.emitted_roots;
      }
      if (!s.expected_parent_span_id.IsValid()) continue;
      ++with_expected_parent;
      const bool queue_consumer = !s.queue.empty() && s.kind == SpanKind::kConsumer;
      // A consumer linked as expected is connected; it is a root by design, not detached.
      if (queue_consumer && spec_.expect_links && s.linked_span_id == s.expected_parent_span_id &&
          s.linked_span_id.IsValid() && !HasFault(s, "detached_span")) {
        continue;
      }
      auto it = by_id.find(s.expected_parent_span_id);
      const GroundTruthSpan* parent = it == by_id.end() ? nullptr : &data.truth[it->second];
      const std::string edge =
          (parent ? parent->service : std::string("(unknown)")) + " \u2192 " + s.service;
      EdgeStats& e = edges[edge];
      e.requests.insert(s.request_id);
      const bool broken = s.parent_span_id != s.expected_parent_span_id ||
                          (parent && parent->trace_id != s.trace_id);
      if (broken) {
        e.broken.insert(s.request_id);
        AddEvidence(e.evidence, s.trace_id);
        if (parent) AddEvidence(e.evidence, parent->trace_id);
      }
      if (HasFault(s, "detached_span") ||
          (!s.parent_span_id.IsValid() && s.kind != SpanKind::kServer)) {
        ++detached;
        AddEvidence(detached_evidence, s.trace_id);
      }
    }

    // The sink's view: several roots for one request means it shows up as several traces.
    std::unordered_map<TraceId, std::size_t, IdHash> sink_roots;
    for (const auto& t : data.traces) {
      std::size_t roots = 0;
      for (const SpanView& s : t->spans) roots += s.IsRoot() ? 1 : 0;
      sink_roots[t->id] += roots;
    }
    std::uint64_t broken_requests = 0;
    std::vector<std::string> broken_evidence;
    for (const auto& [id, req] : requests) {
      std::size_t roots_in_sink = 0;
      for (const TraceId& t : req.trace_ids) {
        if (linked_traces.contains(t)) continue;
        auto it = sink_roots.find(t);
        if (it != sink_roots.end()) roots_in_sink += it->second;
      }
      if (req.trace_ids.size() > 1 || req.emitted_roots > 1 || roots_in_sink > 1) {
        ++broken_requests;
        for (const TraceId& t : req.trace_ids) AddEvidence(broken_evidence, t);
      }
    }

    const double total = static_cast<double>(requests.size());
    const bool broken_ok =
        spec_.broken_traces.Holds(checks::Measured(spec_.broken_traces, broken_requests, total));
    bool detached_ok = true;
    if (spec_.detached) {
      detached_ok = spec_.detached->Holds(
          checks::Measured(*spec_.detached, detached, static_cast<double>(with_expected_parent)));
    }
    std::uint64_t tracestate_lost = 0, tracestate_edges = 0;
    std::vector<std::string> tracestate_evidence;
    if (spec_.tracestate)
      CountTracestate(data, tracestate_lost, tracestate_edges, tracestate_evidence);
    const bool tracestate_ok = tracestate_lost == 0;

    // Queue edges: deliveries whose consumer span is not connected as expected.
    std::uint64_t queue_deliveries = 0, queue_broken = 0;
    std::vector<std::string> queue_parts;
    nlohmann::json queue_json = nlohmann::json::array();
    const char* want = spec_.expect_links ? "link" : "child";
    for (const auto& [name, q] : queue_edges) {
      queue_deliveries += q.deliveries;
      queue_broken += q.broken;
      queue_json.push_back(
          {{"edge", name},
           {"queue", q.queue},
           {"expect", want},
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
      if (q.broken == 0) continue;
      std::string why;
      if (spec_.expect_links && q.by_parent > 0) {
        why =
            fmt::format("{} consumer spans are children of the producer, want a link", q.by_parent);
      } else if (!spec_.expect_links && q.by_link > 0) {
        why = fmt::format("{} messages linked by their consumer span, want a child", q.by_link);
      } else {
        why = "the consumer span is neither a child of the producer nor linked to it";
      }
      queue_parts.push_back(fmt::format("{}: {} of {} messages not connected ({})", name, q.broken,
                                        q.deliveries, why));
    }
    const bool queues_ok = spec_.broken_traces.Holds(
        checks::Measured(spec_.broken_traces, static_cast<double>(queue_broken),
                         static_cast<double>(queue_deliveries)));

    // Broken edges, worst first, each as "parent -> child: N broken of M requests".
    std::vector<std::pair<std::string, const EdgeStats*>> broken_edges;
    nlohmann::json edges_json = nlohmann::json::array();
    for (const auto& [name, e] : edges) {
      edges_json.push_back(
          {{"edge", name}, {"requests", e.requests.size()}, {"broken", e.broken.size()}});
      if (!e.broken.empty()) broken_edges.emplace_back(name, &e);
    }
    std::stable_sort(broken_edges.begin(), broken_edges.end(), [](const auto& a, const auto& b) {
      return a.second->broken.size() > b.second->broken.size();
    });
    std::vector<std::string> parts;
    for (const auto& [name, e] : broken_edges) {
      parts.push_back(name + ": " + std::to_string(e->broken.size()) + " broken of " +
                      std::to_string(e->requests.size()) + " requests");
    }

    std::string summary = std::to_string(broken_requests) + " of " +
                          std::to_string(requests.size()) + " requests broken";
    if (spec_.broken_traces.percent)
      summary += " (" + checks::FormatShare(broken_requests / std::max(1.0, total)) + ")";
    if (!parts.empty()) summary = Join(parts, "; ") + " (" + summary + ")";
    std::vector<std::string> reasons;
    for (const std::string& part : queue_parts) reasons.push_back(part);
    reasons.push_back(summary);
    if (spec_.detached) {
      reasons.push_back("detached spans " +
                        checks::FormatMeasured(*spec_.detached, detached,
                                               static_cast<double>(with_expected_parent)) +
                        (detached_ok ? "" : ", want " + spec_.detached->text));
    }
    if (spec_.tracestate) {
      reasons.push_back(std::to_string(tracestate_lost) + " of " +
                        std::to_string(tracestate_edges) +
                        " child spans dropped their parent's tracestate");
    }
    if (!broken_ok) reasons[queue_parts.size()] += ", want " + spec_.broken_traces.text;
    if (!queue_edges.empty()) {
      reasons.push_back(fmt::format("{} of {} queue deliveries connected ({})",
                                    queue_deliveries - queue_broken, queue_deliveries,
                                    spec_.expect_links ? "want: linked" : "want: children"));
    }
    // Queue messages reconciled: published, processed once or again, never processed.
    const std::map<std::string, QueueMessages> messages = ReconcileQueues(data, deliveries);
    std::uint64_t lost_total = 0, published_total = 0, redelivered_total = 0;
    nlohmann::json messages_json = nlohmann::json::array();
    for (const auto& [queue, m] : messages) {
      lost_total += m.lost;
      published_total += m.published;
      redelivered_total += m.processed_more;
      messages_json.push_back({{"queue", queue},
                               {"published", m.published},
                               {"publish_failed", m.publish_failed},
                               {"processed_once", m.processed_once},
                               {"processed_more_than_once", m.processed_more},
                               {"never_processed_publish_failed", m.failed_unprocessed},
                               {"lost", m.lost},
                               {"lost_after_nack", m.nacked_unprocessed},
                               {"consumer_spans", m.consumer_spans},
                               {"deliveries", m.deliveries},
                               {"redelivered_deliveries", m.redelivered_deliveries},
                               {"nacked_deliveries", m.nacked_deliveries}});
      std::string redeliveries = fmt::format("{} redelivered deliveries", m.redelivered_deliveries);
      if (m.nacked_deliveries) redeliveries += fmt::format(", {} nacked", m.nacked_deliveries);
      if (m.deliveries != m.consumer_spans)
        redeliveries +=
            fmt::format("; {} deliveries in {} consumer spans", m.deliveries, m.consumer_spans);
      reasons.push_back(fmt::format(
          "{}: {} messages published, {} processed once, {} processed more than once ({}), {} "
          "never processed (lost{}), {} publish failures known to the services{}",
          queue, m.published, m.processed_once, m.processed_more, redeliveries, m.lost,
          m.nacked_unprocessed
              ? fmt::format(", {} of them nacked and never delivered again", m.nacked_unprocessed)
              : std::string(),
          m.publish_failed,
          m.failed_unprocessed ? fmt::format(" ({} of them never processed)", m.failed_unprocessed)
                               : std::string()));
    }
    bool lost_ok = true;
    if (spec_.lost) {
      lost_ok = spec_.lost->Holds(checks::Measured(*spec_.lost, static_cast<double>(lost_total),
                                                   static_cast<double>(published_total)));
      r.label += ", lost messages " + spec_.lost->text;
      if (!lost_ok)
        reasons.push_back(fmt::format("{} of {} messages lost, want lost {}", lost_total,
                                      published_total, spec_.lost->text));
    }
    bool redelivered_ok = true;
    if (spec_.redelivered) {
      redelivered_ok = spec_.redelivered->Holds(
          checks::Measured(*spec_.redelivered, static_cast<double>(redelivered_total),
                           static_cast<double>(published_total)));
      r.label += ", redelivered messages " + spec_.redelivered->text;
      if (!redelivered_ok)
        reasons.push_back(
            fmt::format("{} of {} messages processed more than once, want "
                        "redelivered {}",
                        redelivered_total, published_total, spec_.redelivered->text));
    }
    r.passed = broken_ok && detached_ok && tracestate_ok && queues_ok && lost_ok && redelivered_ok;
    r.reason = Join(reasons, "; ");

    // Evidence: the worst edge's traces first, then other broken requests, then the rest.
    auto add_all = [&r](const std::vector<std::string>& ids) {
      for (const auto& id : ids)
        if (r.evidence.size() < checks::kMaxEvidence &&
            std::find(r.evidence.begin(), r.evidence.end(), id) == r.evidence.end())
          r.evidence.push_back(id);
    };
    if (!queues_ok) {
      for (const auto& [name, q] : queue_edges) add_all(q.evidence);
    }
    if (!broken_ok) {
      for (const auto& [name, e] : broken_edges) add_all(e->evidence);
      add_all(broken_evidence);
    }
    if (!detached_ok) add_all(detached_evidence);
    if (!tracestate_ok) add_all(tracestate_evidence);
    if (!lost_ok) {
      for (const auto& [queue, m] : messages) add_all(m.lost_evidence);
    }
    r.details = {{"requests", requests.size()},
                 {"broken_requests", broken_requests},
                 {"detached_spans", detached},
                 {"spans_with_expected_parent", with_expected_parent},
                 {"edges", edges_json}};
    if (!queue_edges.empty()) {
      r.details["queue_edges"] = queue_json;
      r.details["queue_deliveries"] = queue_deliveries;
      r.details["queue_broken"] = queue_broken;
    }
    if (!messages.empty()) {
      r.details["queue_messages"] = messages_json;
      r.details["messages_lost"] = lost_total;
      r.details["messages_redelivered"] = redelivered_total;
    }
    if (spec_.tracestate) {
      r.details["tracestate_lost"] = tracestate_lost;
      r.details["tracestate_edges"] = tracestate_edges;
    }
    return r;
  }

 private:
  // Children (in the sink) of a parent that carried a tracestate must carry one too: W3C lets a
  // vendor update its own entry, so only an empty child tracestate counts as lost.
  static void CountTracestate(const RunData& data, std::uint64_t& lost, std::uint64_t& edges,
                              std::vector<std::string>& evidence) {
    for (const auto& t : data.traces) {
      const TraceShape shape = AnalyzeTrace(*t);
      std::vector<std::optional<std::string>> state(t->spans.size());
      auto state_of = [&](std::size_t i) -> const std::string& {
        if (!state[i]) {
          pb::Span span;
          const SpanView& v = t->spans[i];
          state[i] = span.ParseFromArray(v.raw.data(), static_cast<int>(v.raw.size()))
                         ? span.trace_state()
                         : std::string();
        }
        return *state[i];
      };
      for (std::size_t i = 0; i < t->spans.size(); ++i) {
        const std::size_t p = shape.parent[i];
        if (p == TraceShape::kNone || state_of(p).empty()) continue;
        ++edges;
        if (state_of(i).empty()) {
          ++lost;
          AddEvidence(evidence, t->id);
        }
      }
    }
  }

  PropagationSpec spec_;
};

}  // namespace

std::unique_ptr<Check> MakePropagationCheck(const PropagationSpec& spec) {
  return std::make_unique<PropagationCheck>(spec);
}

}  // namespace traceproof
