// Where every span of a `bench soak` run went, from the run's own counters: spans sent (by the
// span-load generator, or handed to the services' exporters), dropped before the sink (by
// reason), refused by the sink (by reason), accepted, evicted from a full store, and whatever
// is left unaccounted. Cross-checked against what the throughput check counted in the traces,
// so two independent counts must agree before the bench calls the numbers exact. Plain data and
// a pure function: thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "run/run_outcome.h"

namespace traceproof {

using SpanReasons = std::vector<std::pair<std::string, std::uint64_t>>;

struct SpanAccount {
  std::uint64_t sent = 0;
  SpanReasons dropped_before_sink;  // inside the services: queue full, export failed, ...
  std::uint64_t sink_received = 0;
  std::uint64_t accepted = 0;
  SpanReasons refused;        // by the sink, by reason
  std::uint64_t evicted = 0;  // accepted, then pushed out of a full store before the checks
  // sent - dropped - refused - accepted: spans that vanished on the way. Negative when more
  // arrived than were sent, which means the counts themselves are wrong.
  std::int64_t unaccounted = 0;
  std::optional<std::uint64_t> spans_in_traces;  // the throughput check's count, if it ran
  std::vector<std::string> mismatches;           // why the numbers do not add up; empty: exact

  std::uint64_t Dropped() const;
  std::uint64_t Refused() const;
  // Spans sent that the checks did not see: everything but accepted and kept.
  std::uint64_t Lost() const;
  bool AddsUp() const { return mismatches.empty(); }
};

// `spans_per_request`: the span-load phase's per_request, or 0 for a run of services.
SpanAccount AccountSpans(const RunOutcome& outcome, int spans_per_request);

}  // namespace traceproof
