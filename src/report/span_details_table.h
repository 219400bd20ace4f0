// The attribute table of one span in a waterfall (hidden until its row is clicked): ids, kind,
// status and error message, times, attributes, resource attributes, events and links (a link
// to a trace on the page is an anchor to its waterfall). Part of report/waterfall_svg.h, split
// out because it is HTML, not SVG. Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "report/span_summary.h"
#include "store/trace.h"

namespace traceproof {

// `row` is the span's row number in its waterfall (data-row), `trace_start_ns` the waterfall's
// time origin; `anchor_of` as in WaterfallOptions (may be null).
std::string SpanDetailsTable(const Trace& trace, std::size_t span, std::size_t row,
                             const SpanSummary& summary, std::int64_t trace_start_ns,
                             const std::function<std::string(std::string_view)>& anchor_of);

}  // namespace traceproof
