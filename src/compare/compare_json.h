// compare.json: a RunComparison as data (every route, operation, edge and check change, the
// deltas, the options and the regressions that decide the exit code), for CI and for
// compare.html. Keys carry their units; documented in docs/results.md. Pure function.
#pragma once

#include <nlohmann/json.hpp>

#include "compare/compare_runs.h"

namespace traceproof {

nlohmann::json ComparisonJson(const RunComparison& comparison);

}  // namespace traceproof
