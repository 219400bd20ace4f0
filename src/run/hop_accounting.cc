#include "run/hop_accounting.h"

#include <fmt/format.h>

#include <algorithm>

namespace traceproof {

HopCounters ServicesHop(const mock::MockServicesStats& st) {
  HopCounters h;
  h.name = "services";
  h.passed_on = st.spans_exported;
  h.dropped = {{"queue full", st.spans_dropped_queue},
               {"exporter outage", st.spans_dropped_outage},
               {"export failed", st.spans_failed_export}};
  h.received =
      st.spans_exported + st.spans_dropped_queue + st.spans_dropped_outage + st.spans_failed_export;
  return h;
}

HopCounters SenderHop(const LoadStats& load) {
  HopCounters h;
  h.name = kSenderHopName;
  h.received = load.spans_sent;
  h.passed_on = load.spans_acknowledged;
  for (const auto& [kind, n] : load.spans_failed)
    h.dropped.emplace_back("request failed: " + kind, n);
  return h;
}

namespace {

std::string TailSamplingReason(const CollectorCounters& c) {
  const std::uint64_t decided = c.tail_traces_sampled + c.tail_traces_not_sampled;
  return fmt::format("sampled out by tail_sampling ({} traces not sampled, {} sampled{})",
                     c.tail_traces_not_sampled, c.tail_traces_sampled,
                     c.tail_new_traces > decided
                         ? fmt::format(", {} undecided at stop", c.tail_new_traces - decided)
                         : std::string());
}

}  // namespace

// The tail sampler reports decisions per trace, not per span, so the spans it sampled out are
// those it accepted and neither sent nor failed to send (named with its trace counts); the same
// holds for spans lost inside a killed Collector.
HopCounters CollectorHop(const CollectorReport& report, const HopCounters* upstream,
                         std::uint64_t sink_received) {
  const CollectorCounters& c = report.counters;
  HopCounters h;
  h.name = "collector";
  h.received = c.receiver_accepted_spans + c.receiver_refused_spans;
  h.passed_on = c.exporter_sent_spans + report.spans_flushed_at_stop;
  std::uint64_t accounted = h.passed_on;
  auto drop = [&](std::string why, std::uint64_t n) {
    if (!n) return;
    h.dropped.emplace_back(std::move(why), n);
    accounted += n;
  };
  if (report.kills > 0) {
    // A killed Collector's counters die with it: the last scrape before the kill misses what it
    // accepted and sent in the moments after. Both ends know better: the services saw every span
    // it accepted succeed, and the sink counted every span it delivered.
    if (upstream) h.received = std::max(h.received, upstream->passed_on);
    h.passed_on = std::max(h.passed_on, sink_received);
    accounted = h.passed_on;
  }
  drop("refused by receiver", c.receiver_refused_spans);
  drop("exporter send failed", c.exporter_send_failed_spans);
  drop("exporter queue full", c.exporter_enqueue_failed_spans);
  const std::uint64_t rest = h.received > accounted ? h.received - accounted : 0;
  if (c.tail_sampling) {
    drop(TailSamplingReason(c), rest);
  } else if (report.kills > 0) {
    drop("in flight when killed (accepted, never delivered)", rest);
  }
  return h;
}

HopCounters SinkHop(const IngestCounters& ingest, const TraceStoreCounters& store) {
  HopCounters sink;
  sink.name = "sink";
  sink.received = ingest.spans_received.load();
  sink.passed_on = ingest.spans_accepted.load();
  for (std::size_t i = 0; i < kRefusalReasonCount; ++i) {
    const std::uint64_t n = ingest.spans_refused[i].load();
    if (n) sink.dropped.emplace_back(RefusalReasonName(static_cast<RefusalReason>(i)), n);
  }
  if (const auto evicted = store.evicted_spans.load())
    sink.dropped.emplace_back("evicted (store full)", evicted);
  return sink;
}

}  // namespace traceproof
