// The slowest trace of each route in common, in both runs, read back whole from the results
// folders' traces files (update records folded in): what compare.html draws side by side and
// the job summary prints as a tree. Reads files; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compare/compare_runs.h"
#include "store/trace.h"

namespace traceproof {

struct SlowestPair {
  std::string route;
  std::shared_ptr<const Trace> base;  // nullptr when the record could not be read back
  std::shared_ptr<const Trace> current;
};

std::vector<SlowestPair> ReadSlowestTraces(const RunProfile& base, const RunProfile& current,
                                           const RunComparison& comparison);

}  // namespace traceproof
