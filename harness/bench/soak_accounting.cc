#include "bench/soak_accounting.h"

#include <fmt/format.h>

#include <numeric>

namespace traceproof {
namespace {

std::uint64_t Sum(const SpanReasons& reasons) {
  return std::accumulate(reasons.begin(), reasons.end(), std::uint64_t{0},
                         [](std::uint64_t n, const auto& r) { return n + r.second; });
}

const HopCounters* FindHop(const RunOutcome& outcome, const std::string& name) {
  for (const HopCounters& h : outcome.data.hops)
    if (h.name == name) return &h;
  return nullptr;
}

// The sink hop lists refusals and evictions side by side (run/hop_accounting); evictions are
// the spans it accepted and could not keep, so they are not refusals.
void SplitSinkHop(const HopCounters& sink, SpanAccount& a) {
  for (const auto& [reason, n] : sink.dropped) {
    if (reason.rfind("evicted", 0) == 0) {
      a.evicted += n;
    } else if (n > 0) {
      a.refused.emplace_back(reason, n);
    }
  }
}

void FindMismatches(const RunOutcome& outcome, SpanAccount& a) {
  if (a.unaccounted < 0)
    a.mismatches.push_back(
        fmt::format("{} more spans reached the sink than were sent", -a.unaccounted));
  if (a.sink_received != a.accepted + a.Refused())
    a.mismatches.push_back(fmt::format("sink received {} spans but accepted {} + refused {}",
                                       a.sink_received, a.accepted, a.Refused()));
  if (outcome.sink_spans_refused != a.Refused())
    a.mismatches.push_back(fmt::format("sink counters refused {} spans, its hop {}",
                                       outcome.sink_spans_refused, a.Refused()));
  if (a.spans_in_traces && *a.spans_in_traces != a.accepted - a.evicted)
    a.mismatches.push_back(fmt::format(
        "the throughput check found {} spans in the traces, the sink kept {} (accepted {} - "
        "evicted {})",
        *a.spans_in_traces, a.accepted - a.evicted, a.accepted, a.evicted));
}

}  // namespace

std::uint64_t SpanAccount::Dropped() const { return Sum(dropped_before_sink); }
std::uint64_t SpanAccount::Refused() const { return Sum(refused); }
std::uint64_t SpanAccount::Lost() const {
  const std::uint64_t kept = accepted > evicted ? accepted - evicted : 0;
  return sent > kept ? sent - kept : 0;
}

SpanAccount AccountSpans(const RunOutcome& outcome, int spans_per_request) {
  SpanAccount a;
  if (const HopCounters* services = FindHop(outcome, "services")) {
    a.sent = services->received;
    for (const auto& [reason, n] : services->dropped)
      if (n > 0) a.dropped_before_sink.emplace_back(reason, n);
  } else if (const HopCounters* sender = FindHop(outcome, kSenderHopName)) {
    a.sent = sender->received;  // span load: what the generator tried to send, refused or not
  } else {
    // Every request the generator sent carried this many spans, answered or not.
    a.sent = outcome.data.load.sent * static_cast<std::uint64_t>(spans_per_request);
  }
  a.sink_received = outcome.sink_spans_received;
  a.accepted = outcome.sink_spans_accepted;
  if (const HopCounters* sink = FindHop(outcome, "sink")) {
    a.sink_received = sink->received;
    a.accepted = sink->passed_on;
    SplitSinkHop(*sink, a);
  }
  a.unaccounted = static_cast<std::int64_t>(a.sent) - static_cast<std::int64_t>(a.Dropped()) -
                  static_cast<std::int64_t>(a.Refused()) - static_cast<std::int64_t>(a.accepted);
  for (const CheckResult& r : outcome.results)
    if (r.kind == "throughput" && r.details.contains("sink_spans"))
      a.spans_in_traces = r.details["sink_spans"].get<std::uint64_t>();
  FindMismatches(outcome, a);
  return a;
}

}  // namespace traceproof
