// summary.json of a run: the verdict, every check with status, reason, evidence and measured
// details, the load generator's figures (corrected and uncorrected percentiles), span counts
// per hop, and the versions that produced it. The machine-readable answer CI reads; its keys
// are documented in docs/scenarios.md. Pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "load/load_stats.h"
#include "run/run_outcome.h"

namespace traceproof {

struct RunVerdict {
  bool checks_passed = false;
  bool as_expected = false;  // what decides the exit code
  std::string why;           // when not as expected
};

nlohmann::json LoadStatsJson(const LoadStats& load);
// summary.json's "checks": kind, label, status, reason, evidence, details and position of each.
nlohmann::json ChecksJson(const std::vector<CheckResult>& results);
nlohmann::json SummaryJson(const Scenario& scenario, const RunOutcome& outcome,
                           const RunVerdict& verdict, const std::string& started_utc);

}  // namespace traceproof
