// The propagation check's tracestate part: children (in the sink) of a parent that carried a
// tracestate must carry one too. W3C lets a vendor update its own entry, so only an empty child
// tracestate counts as lost. Pure function of the sink's traces; internal to the checks library;
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/trace.h"

namespace traceproof::checks {

struct TracestateCount {
  std::uint64_t edges = 0;  // parent -> child pairs whose parent carried a tracestate
  std::uint64_t lost = 0;   // of those, the child carried none
  std::vector<std::string> evidence;
};

// Adds one trace's parent -> child pairs. An update record (late spans without the spans
// handed out before) has no pairs to judge.
void CountTracestate(const Trace& trace, TracestateCount& count);

}  // namespace traceproof::checks
