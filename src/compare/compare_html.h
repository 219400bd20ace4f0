// compare.html: one self-contained page in the report's style (report/html_page.h: style and
// script inline, a Content-Security-Policy that forbids every fetch) with what the terminal
// report says as tables, and for each route the slowest trace of each run as waterfalls side
// by side (report/waterfall_svg.h), so the operation that got slower is seen where it sits.
// Pure function.
#pragma once

#include <string>
#include <vector>

#include "compare/compare_runs.h"
#include "compare/slowest_traces.h"

namespace traceproof {

std::string ComparisonHtml(const RunComparison& comparison,
                           const std::vector<SlowestPair>& slowest);

}  // namespace traceproof
