// The `collector:` section of a scenario: a real OpenTelemetry Collector between the services and
// the sink, either one traceproof starts (`config:`, `binary:`, relative to the scenario file) or
// one that already runs (`endpoint:` and its Prometheus `metrics:`), and the `collector:` faults
// (kill, restart) that need the one traceproof starts. Throws LoadError at the offending key or
// value; not thread-safe (one load).
#pragma once

#include <vector>

#include "scenario/scenario.h"
#include "scenario/scenario_reader.h"

namespace traceproof::loader {

void ParseCollector(ScenarioReader& r, const Field& field, Scenario& scenario);

// Gives the faults to the scenario's Collector; it must be one traceproof starts.
void AttachCollectorFaults(ScenarioReader& r, std::vector<CollectorFault> faults,
                           Scenario& scenario);

}  // namespace traceproof::loader
