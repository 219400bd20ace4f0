// Prints a trace the way the seed article draws one: one line per span, children indented
// under their parent in start order, `service  operation  duration`, ERROR status marked with
// its message, and the trace's problems (orphans, extra roots, duplicate ids, clock skew) said
// where they occur. Used by `traceproof sink --print-trees` and run reports. Pure function.
#pragma once

#include <string>
#include <vector>

#include "store/trace.h"

namespace traceproof {

std::string FormatDuration(std::int64_t ns);  // "4.20 s", "12.0 ms", "850 µs"
// `critical`, when given, holds span indexes on the trace's critical path: those lines get a
// `*` in the margin and the footer says so (run reports mark the slowest trace this way).
std::string TraceTreeText(const Trace& trace, const std::vector<std::size_t>* critical = nullptr);

}  // namespace traceproof
