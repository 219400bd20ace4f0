#include "run/run_outcome.h"

#include <fmt/format.h>

#include <algorithm>

#include "checks/make_check.h"

namespace traceproof {

bool RunOutcome::ChecksPassed() const {
  return std::all_of(results.begin(), results.end(), [](const CheckResult& r) { return r.passed; });
}

bool RunOutcome::AsExpected(const Expectation& expect, std::string& why) const {
  if (status != Status::kCompleted) {
    why = status == Status::kInterrupted ? "the run was interrupted" : error;
    return false;
  }
  if (expect.pass) {
    if (ChecksPassed()) return true;
    why = "a check failed";
    return false;
  }
  if (ChecksPassed()) {
    why = "every check passed, but the scenario expects a failure";
    return false;
  }
  for (const std::string& kind : expect.failing_kinds) {
    const bool failed = std::any_of(results.begin(), results.end(), [&](const CheckResult& r) {
      return r.kind == kind && !r.passed;
    });
    if (!failed) {
      why = fmt::format("the scenario expects a '{}' check to fail, and none did", kind);
      return false;
    }
  }
  // Checks that fail without being expected to are still a surprise.
  for (const CheckResult& r : results) {
    if (r.passed) continue;
    if (std::find(expect.failing_kinds.begin(), expect.failing_kinds.end(), r.kind) ==
            expect.failing_kinds.end() &&
        !expect.failing_kinds.empty()) {
      why = fmt::format("'{}' check failed, and the scenario expects only {} to fail", r.kind,
                        fmt::join(expect.failing_kinds, ", "));
      return false;
    }
  }
  return true;
}

std::vector<CheckResult> RunChecks(const std::vector<CheckSpec>& specs, const RunData& data) {
  std::vector<CheckResult> results;
  for (const CheckSpec& spec : specs) {
    CheckResult r = MakeCheck(spec)->Run(data);
    if (r.kind.empty()) r.kind = spec.kind;
    r.pos = spec.pos;
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace traceproof
