// The job summary of `traceproof compare` in Markdown (report/job_summary.h writes it): the
// verdict with each regression, a table of the operations whose compared percentile changed
// significantly, the checks whose verdict changed, the load and span deltas, and the current
// run's slowest trace per route as a tree in a code block. Link-free. Pure function.
#pragma once

#include <string>
#include <vector>

#include "compare/compare_runs.h"
#include "compare/slowest_traces.h"

namespace traceproof {

std::string ComparisonMarkdown(const RunComparison& comparison,
                               const std::vector<SlowestPair>& slowest);

}  // namespace traceproof
