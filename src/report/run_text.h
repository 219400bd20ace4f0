// The human report of a run, as the terminal shows it and report.txt keeps it: load figures
// (corrected and uncorrected latency side by side, errors by kind, dropped iterations), span
// counts per hop, one line per check (PASS/FAIL, reason, evidence), the slowest trace drawn as
// the seed draws it with its critical path marked, and the verdict. Pure function.
#pragma once

#include <string>

#include "report/summary_json.h"

namespace traceproof {

std::string LoadStatsText(const LoadStats& load);
std::string RunReportText(const Scenario& scenario, const RunOutcome& outcome,
                          const RunVerdict& verdict);

}  // namespace traceproof
