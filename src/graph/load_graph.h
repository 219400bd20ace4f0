// Loads a ServiceGraph from YAML (a preset file, a `services:` file, or a node inside a
// scenario). Every mistake is a LoadError that names file:line:col and gives a hint; unknown
// keys are errors (a typo must not silently mean "default"). Called at the edge (CLI, scenario
// load), so it throws.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "graph/service_graph.h"

namespace traceproof {

// `file` is used for positions only. Expects a map with `services:` (required), optional
// `faults:` and `scale:`.
ServiceGraph LoadServiceGraph(const YAML::Node& root, const std::string& file);
ServiceGraph LoadServiceGraphFile(const std::string& path);  // parse errors are LoadErrors too

// Pieces reused by the scenario loader.
Latency ParseLatency(const YAML::Node& node, const std::string& file);
std::vector<Fault> ParseFaults(const YAML::Node& node, const std::string& file);

}  // namespace traceproof
