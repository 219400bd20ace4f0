#include "run/store_bounds.h"

#include <fmt/format.h>

#include <algorithm>

namespace traceproof {
namespace {

using std::chrono::milliseconds;

// What the store must hold: the spans of `kHeldSeconds` at the peak rate (a few quiet periods
// plus a Collector's batching or tail-sampling wait), at least kMinSpans so a short burst never
// meets the bound, at most kMaxSpans (~3.4 GB of spans at ~860 bytes each).
constexpr double kHeldSeconds = 30;
constexpr double kMinSpans = 1'000'000;
constexpr double kMaxSpans = 4'000'000;
constexpr double kRememberedSeconds = 30;
// A request through services starts one trace, or a few where propagation breaks.
constexpr double kTracesPerServiceRequest = 4;

}  // namespace

double PeakSpansPerSecond(const Scenario& scenario) {
  double peak = 0;
  for (const LoadPhase& p : scenario.load) {
    const double rate = std::max({p.rate_per_s, p.from_per_s, p.to_per_s});
    peak = std::max(peak, rate * (p.span_load ? p.spans_per_request : kSpansPerServiceRequest));
  }
  return peak;
}

double PeakTracesPerSecond(const Scenario& scenario) {
  double peak = 0;
  for (const LoadPhase& p : scenario.load) {
    const double rate = std::max({p.rate_per_s, p.from_per_s, p.to_per_s});
    const double traces = p.span_load ? double(p.spans_per_request) / std::max(1, p.spans_per_trace)
                                      : kTracesPerServiceRequest;
    peak = std::max(peak, rate * std::max(1.0, traces));
  }
  return peak;
}

TraceStoreOptions RunStoreOptions(const Scenario& scenario) {
  TraceStoreOptions o;
  // A trace is complete after 2 s without a span (at least the drain's quiet period): the
  // services' exporters batch for 200 ms, a Collector's batch processor for up to a second.
  o.quiet_period = std::max<milliseconds>(
      milliseconds(2000), std::chrono::duration_cast<milliseconds>(scenario.drain_quiet));
  o.release_collected = true;
  const double peak = PeakSpansPerSecond(scenario);
  const double spans = std::clamp(peak * kHeldSeconds, kMinSpans, kMaxSpans);
  o.max_spans = static_cast<std::size_t>(spans);
  o.max_traces = o.max_spans;  // a trace holds at least one span
  // Half a minute of the peak's trace ids (~200 bytes each with their index): filled early in
  // a run, then flat.
  o.max_evicted_ids = static_cast<std::size_t>(
      std::clamp(PeakTracesPerSecond(scenario) * kRememberedSeconds, 100'000.0, 2'000'000.0));
  return o;
}

std::string StoreBoundsText(const TraceStoreOptions& o, double peak_spans_per_s) {
  return fmt::format(
      "store: a trace completes after {:.1f} s without a span and then leaves memory; at most "
      "{} spans open (peak load ~{:.0f} spans/s), {} ids of completed traces remembered for "
      "late spans",
      std::chrono::duration<double>(o.quiet_period).count(), o.max_spans, peak_spans_per_s,
      o.max_evicted_ids);
}

}  // namespace traceproof
