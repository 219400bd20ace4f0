// The `load:` section of a scenario, a list of phases (an arrival schedule: constant, ramping or
// poisson; a duration; the route each request calls, checked against the services, or synthetic
// span load straight at the sink), and `drain:`, how long the run waits for spans after the load
// stops. Throws LoadError at the offending key or value; not thread-safe (one load).
#pragma once

#include <yaml-cpp/yaml.h>

#include "scenario/scenario.h"
#include "scenario/scenario_reader.h"

namespace traceproof::loader {

// `root` is the scenario's top level (a route without 'services:' is reported there); the
// phases' routes are checked against `scenario.services`, which must be read already.
void ParseLoad(ScenarioReader& r, const YAML::Node& root, const Field& load, Scenario& scenario);

void ParseDrain(ScenarioReader& r, const Field& field, Scenario& scenario);

}  // namespace traceproof::loader
