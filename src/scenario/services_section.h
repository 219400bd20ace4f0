// The `services:` section of a scenario with the top-level `scale:` and `faults:` that go with it:
// inline services, or a preset or services file (relative to the scenario file) with its own
// scale and, optionally, `external:` addresses. Service faults are checked against the graph and
// merged into it; the runner's faults (collector, broker) are taken out of the list for their
// own sections. Throws LoadError at the offending key or value; not thread-safe (one load).
#pragma once

#include <vector>

#include "scenario/runner_faults.h"
#include "scenario/scenario.h"
#include "scenario/scenario_reader.h"

namespace traceproof::loader {

// `top` is the scenario's top level; the runner's faults go to `runner`.
void ParseServices(ScenarioReader& r, const std::vector<Field>& top, RunnerFaults& runner,
                   Scenario& scenario);

}  // namespace traceproof::loader
