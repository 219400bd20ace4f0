// compare.html: one self-contained page (no script, style inline, nothing fetched) with what
// the terminal report says, as tables, and for each route the slowest trace of each run side
// by side. Pure function.
#pragma once

#include <string>
#include <vector>

#include "compare/compare_runs.h"
#include "compare/slowest_traces.h"

namespace traceproof {

std::string ComparisonHtml(const RunComparison& comparison,
                           const std::vector<SlowestPair>& slowest);

}  // namespace traceproof
