#include "checks/span_gaps.h"

#include <algorithm>

namespace traceproof {

std::vector<TimeRange> SpanGaps(const Trace& trace, const TraceShape& shape, std::size_t span) {
  std::vector<TimeRange> gaps;
  const auto& kids = shape.children[span];
  if (kids.empty()) return gaps;
  const auto& spans = trace.spans;
  // Children are sorted by start time (AnalyzeTrace), so one sweep finds every stretch.
  std::int64_t cursor = static_cast<std::int64_t>(spans[span].start_unix_ns);
  const std::int64_t parent_end = static_cast<std::int64_t>(spans[span].end_unix_ns);
  for (std::size_t c : kids) {
    const std::int64_t starts =
        std::min(static_cast<std::int64_t>(spans[c].start_unix_ns), parent_end);
    if (starts > cursor) gaps.push_back({cursor, starts});
    cursor =
        std::max(cursor, std::min(static_cast<std::int64_t>(spans[c].end_unix_ns), parent_end));
  }
  if (parent_end > cursor) gaps.push_back({cursor, parent_end});
  return gaps;
}

std::int64_t LongestGapNs(const std::vector<TimeRange>& gaps) {
  std::int64_t longest = 0;
  for (const TimeRange& g : gaps) longest = std::max(longest, g.DurationNs());
  return longest;
}

}  // namespace traceproof
