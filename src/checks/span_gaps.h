// Gaps in a trace: stretches of a parent span's time when none of its children runs (the
// seed's "uncovered parent time": work nobody instrumented, or waiting). One definition for the
// latency check's `gaps:` bound and for the report's shaded gaps, so what the report shades is
// what the check measured. Children are clipped to their parent's end (clock skew cannot make
// a child cover time after its parent ended). Pure functions of the trace; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "store/trace.h"
#include "store/trace_shape.h"

namespace traceproof {

struct TimeRange {
  std::int64_t begin_ns = 0;  // unix nanoseconds
  std::int64_t end_ns = 0;
  std::int64_t DurationNs() const { return end_ns - begin_ns; }
};

// The uncovered ranges of span `span`, in time order; empty for a span without children (a
// leaf's time is its own work, not a gap) and for a span its children cover end to end.
std::vector<TimeRange> SpanGaps(const Trace& trace, const TraceShape& shape, std::size_t span);

// The longest of SpanGaps (0 when there is none).
std::int64_t LongestGapNs(const std::vector<TimeRange>& gaps);

}  // namespace traceproof
