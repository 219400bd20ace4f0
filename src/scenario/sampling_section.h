// The `sampling:` section of a scenario: the head sampler every service runs (the
// OTEL_TRACES_SAMPLER / _ARG pair) and per-service overrides, which is how a scenario injects a
// sampler bug. Overrides must name services traceproof runs. Throws LoadError at the offending
// key or value; not thread-safe (one load).
#pragma once

#include "scenario/scenario.h"
#include "scenario/scenario_reader.h"

namespace traceproof::loader {

void ParseSampling(ScenarioReader& r, const Field& field, Scenario& scenario);

}  // namespace traceproof::loader
