// The seam for trace checks: a check reads the RunData of a finished run and says pass or fail
// with a reason a person can act on ("gateway -> orders: 37 broken of 2000") and evidence (trace
// ids to look at). A scenario holds each check as a spec (check_spec.h, validated when it loads);
// the run builds the Check from it with MakeCheck (make_check.h). Run() must not throw; checks
// are immutable and may run concurrently.
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
};

}  // namespace traceproof
