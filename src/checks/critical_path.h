// The critical path of a trace: the chain of work that determined its end-to-end duration, found
// by the standard backward walk (as in Jaeger and Uber's CRISP) from the root's end: at each
// point take the child that ends last before it, descend into it, and when a span has no such
// child its own time up to that point is on the path; time in a span not covered by the path's
// children ("self time") belongs to the span. Children are clipped to their parent's interval
// first, so clock skew cannot make a child own more than its parent lasted.
//
// Used by the latency check (who owns the slow traces' time) and by the report (marking the
// slowest trace's tree). Pure functions of the trace; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/trace.h"
#include "store/trace_shape.h"

namespace traceproof {

// The root the critical path starts from: the root span that ends last (several roots happen
// when propagation broke); TraceShape::kNone when the trace has no root.
std::size_t CriticalPathRoot(const Trace& trace, const TraceShape& shape);

// Indices of the spans on the critical path, in walk order (the root first, then the last
// finishing child, ...). Empty when the trace has no root.
std::vector<std::size_t> CriticalPath(const Trace& trace, const TraceShape& shape);

// Per span (by index), the nanoseconds of the root's duration it owns on the critical path; the
// values sum to the root's duration. Zero for spans off the path.
std::vector<std::int64_t> CriticalTimeNs(const Trace& trace, const TraceShape& shape);

// Critical-path time aggregated over traces by owner: "service" or "service operation" (the
// span name), largest first; shares are of the summed root durations.
struct CriticalOwner {
  std::string service;
  std::string operation;  // empty when aggregated by service
  std::int64_t ns = 0;
  double share = 0;
};
enum class CriticalOwnerKey { kService, kServiceOperation };
std::vector<CriticalOwner> CriticalPathOwners(const std::vector<const Trace*>& traces,
                                              CriticalOwnerKey key);

// The same in two steps, for a check that keeps each trace's share and lets the trace go:
// one trace's critical-path time added by owner ({service, operation or ""}), then the owners
// ranked as CriticalPathOwners ranks them.
using CriticalOwnerTimes = std::map<std::pair<std::string, std::string>, std::int64_t>;
void AddCriticalOwnerTimes(const Trace& trace, CriticalOwnerKey key, CriticalOwnerTimes& into);
std::vector<CriticalOwner> RankCriticalOwners(const CriticalOwnerTimes& by_owner);

}  // namespace traceproof
