// The terminal report of `traceproof compare`: per route the operations' p50 and the compared
// percentile before and after with the change, its interval and what it means (regression,
// faster, within noise), the shape changes, then the checks whose verdict changed, the load
// and span deltas, and the verdict with each regression on its own line. Pure function.
#pragma once

#include <string>

#include "compare/compare_runs.h"

namespace traceproof {

std::string ComparisonText(const RunComparison& comparison);

}  // namespace traceproof
