// `services: { preset|file: ..., external: { endpoints: {...}, admin: HOST:PORT } }`: the services
// of the graph already run elsewhere (`traceproof serve --admin-port`), so the run starts none.
// Reads the section, and checks that the rest of the scenario asks nothing of those services
// that only a run's own services can do (load on a service without an endpoint, a sampler, a
// broker). Throws LoadError at the offending key or value; not thread-safe (one load).
#pragma once

#include <vector>

#include "scenario/scenario.h"
#include "scenario/scenario_reader.h"

namespace traceproof::loader {

void ParseExternalServices(ScenarioReader& r, const Field& field, Scenario& scenario);

// After the load phases are read; `top` is the scenario's top level.
void CheckExternalServices(ScenarioReader& r, const std::vector<Field>& top,
                           const Scenario& scenario);

}  // namespace traceproof::loader
