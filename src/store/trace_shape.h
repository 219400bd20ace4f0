// The shape of one trace, derived from span ids and timings alone: its tree (children by
// parent), roots, orphans (a parent id that never arrived), duplicate span ids and clock skew
// (a child starting before its parent or ending after it). Skew is reported, never "fixed":
// the seed's advice is that it is drift between hosts, and users must see it. Used by the
// store's counters, the tree printer and (later) the checks. A pure function of the trace.
#pragma once

#include <cstddef>
#include <vector>

#include "store/trace.h"

namespace traceproof {

struct TraceShape {
  std::vector<std::size_t> roots;            // spans with no parent id
  std::vector<std::size_t> orphans;          // spans whose parent is not in the trace
  std::vector<std::size_t> duplicates;       // second and later spans reusing a span id
  std::vector<std::size_t> skewed;           // spans outside their parent's time range
  std::vector<std::vector<std::size_t>> children;  // by span index, sorted by start time
  std::vector<std::size_t> parent;           // by span index; kNone for roots and orphans

  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
};

TraceShape AnalyzeTrace(const Trace& trace);

}  // namespace traceproof
