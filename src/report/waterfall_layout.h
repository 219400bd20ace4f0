// What a waterfall draws, before any SVG: the rows of one trace in tree order (children under
// their parent by start time, then orphans and spans in parent cycles at the left margin), each
// with what the checks would say about it: on the critical path (checks/critical_path.h), its
// gaps (checks/span_gaps.h), orphan / extra root / duplicate id / clock skew (the trace's
// shape, store/trace_shape.h, which structure and hygiene judge by). A trace with more spans
// than `max_rows` keeps the rows that matter (critical path, errors, flagged spans, their
// ancestors) and as many others as fit, in tree order, and counts the rest. Split from the SVG
// so tests can read the layout without parsing markup. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "checks/span_gaps.h"
#include "store/trace.h"

namespace traceproof {

struct WaterfallRow {
  std::size_t span = 0;  // index into trace.spans
  int depth = 0;
  bool critical = false;        // on the critical path
  bool orphan = false;          // parent id not in the trace
  bool extra_root = false;      // one of several roots
  bool duplicate = false;       // reuses a span id already in the trace
  bool skewed = false;          // outside its parent's time range
  bool cycle = false;           // unreachable from any root or orphan: its parent chain loops
  std::vector<TimeRange> gaps;  // uncovered time of this span, shaded on its bar
};

struct WaterfallLayout {
  std::vector<WaterfallRow> rows;  // in drawing order
  std::size_t hidden = 0;          // spans not drawn (the trace had more than max_rows)
  std::int64_t start_ns = 0;       // the earliest start and latest end of the drawn spans
  std::int64_t end_ns = 0;
};

WaterfallLayout LayOutWaterfall(const Trace& trace, std::size_t max_rows);

}  // namespace traceproof
