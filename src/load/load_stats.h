// What the load generator did, merged over its worker threads: requests by outcome, error
// kinds kept apart (as wrk does), iterations it could not start on time, and latency measured
// both from the intended start (corrected for coordinated omission) and from the actual send.
// Plain data; histograms in nanoseconds.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "load/histogram.h"
#include "otlp/ids.h"

namespace traceproof {

struct LoadStats {
  std::uint64_t scheduled = 0;  // requests the arrival schedule asked for
  std::uint64_t sent = 0;
  std::uint64_t ok = 0;  // 2xx
  std::map<unsigned, std::uint64_t> by_status;
  std::uint64_t errors_connect = 0;
  std::uint64_t errors_timeout = 0;
  std::uint64_t errors_reset = 0;
  std::uint64_t errors_other = 0;
  std::uint64_t dropped_iterations = 0;  // not started: the generator could not keep up
  double duration_s = 0;         // the schedule's window, or until the last send if that was later
  double target_rate_per_s = 0;  // mean of the schedule over the run
  Histogram corrected;           // from intended start
  Histogram uncorrected;         // from actual send
  // The traces the generator started itself (phases with `traceparent: fresh`), one per request
  // sent, in no particular order.
  std::vector<TraceId> started_traces;
  // Span load only: the spans in every export request the generator tried to send (a refused
  // connection included: the sink or Collector it targets is part of what is tested), those in
  // requests answered 2xx, and those in requests that failed, by kind ("connect", "timeout",
  // "reset", "other", "status 503"). The throughput check's first hop: without it the sink's
  // own count would be the only measure of what was sent, and a lost request could not show.
  std::uint64_t spans_sent = 0;
  std::uint64_t spans_acknowledged = 0;
  std::map<std::string, std::uint64_t> spans_failed;
  // OpenLoopOptions::keep_latencies only: the corrected latency of each answered request, ns.
  std::vector<std::int64_t> latencies_ns;

  std::uint64_t Errors() const {
    return errors_connect + errors_timeout + errors_reset + errors_other;
  }
  double AchievedRatePerS() const { return duration_s > 0 ? sent / duration_s : 0; }
};

// Adds `from` into `into`: counters summed, histograms merged, traces and latencies appended.
// The one merge of load figures, for a run's worker threads and for shards (`traceproof merge`);
// duration_s and target_rate_per_s are the caller's (workers share a window, shards add rates).
void AddLoadStats(LoadStats& into, const LoadStats& from);

}  // namespace traceproof
