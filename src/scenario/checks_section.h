// The `checks:` and `expect:` sections of a scenario: each check entry parsed into its spec
// (checks/check_spec.h; the run builds the checks from them), and the verdict the scenario
// expects, whose failing kinds must name checks the scenario has. Throws LoadError at the
// offending entry or value; not thread-safe (one load).
#pragma once

#include "scenario/scenario.h"
#include "scenario/scenario_reader.h"

namespace traceproof::loader {

void ParseChecks(ScenarioReader& r, const Field& field, Scenario& scenario);

// After the checks: `failing` names their kinds.
void ParseExpect(ScenarioReader& r, const Field& field, Scenario& scenario);

}  // namespace traceproof::loader
