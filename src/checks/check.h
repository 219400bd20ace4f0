// The seam for trace checks: a check reads the RunData of a finished run and says pass or fail
// with a reason a person can act on ("gateway -> orders: 37 broken of 2000") and evidence (trace
// ids to look at). Checks are built from scenario YAML by MakeCheck (make_check.h), which throws
// LoadError with file:line:col for bad options. Run() must not throw; checks are immutable and
// may run concurrently.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "checks/run_data.h"
#include "config/source_pos.h"

namespace traceproof {

struct CheckResult {
  std::string kind;   // "structure", "propagation", ...
  std::string label;  // what the check asserted, one line, e.g. "broken_traces == 0"
  bool passed = false;
  std::string reason;                 // why it passed or failed, with the numbers
  std::vector<std::string> evidence;  // trace ids (hex), at most ~10, most telling first
  nlohmann::json details = nlohmann::json::object();  // measured values for summary.json
  SourcePos pos;                                      // where the check is in the scenario file
};

class Check {
 public:
  virtual ~Check() = default;
  virtual CheckResult Run(const RunData& data) const = 0;
  // Whether a failure on a sample of the run's requests means the whole run fails too (per-span
  // and per-trace properties, upper bounds on counts), so the progress line may show it as
  // "failing so far" (run/checks_so_far.h). Lower bounds, shares and percentiles may not.
  virtual bool SoundOnSample() const { return false; }
};

}  // namespace traceproof
