// The service graphs a scenario names with `services: { preset: NAME }`: files NAME.yaml in
// the presets folder of the mock services in the source tree (builds and tests), else beside an
// installed binary. Not thread-safe (one load).
#pragma once

#include <string>

#include "scenario/scenario_reader.h"

namespace traceproof::loader {

// The preset's file; an unknown name fails at `field`, listing the presets there are.
std::string PresetPath(ScenarioReader& r, const std::string& name, const Field& field);

}  // namespace traceproof::loader
