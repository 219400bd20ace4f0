// Builds a Check from one entry of a scenario's `checks:` list, e.g.
//   - propagation: { broken_traces: "== 0" }
// Exactly one key per entry, the check kind; its value holds the kind's options. Unknown kinds
// and options are LoadErrors with file:line:col and a did-you-mean hint.
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>

#include "checks/check.h"

namespace traceproof {

std::unique_ptr<Check> MakeCheck(const YAML::Node& entry, const std::string& file);

// One per kind, each in its own file (checks/<kind>.cc); MakeCheck dispatches to them.
std::unique_ptr<Check> MakeStructureCheck(const YAML::Node& options, const std::string& file);
std::unique_ptr<Check> MakePropagationCheck(const YAML::Node& options, const std::string& file);
std::unique_ptr<Check> MakeSamplingCheck(const YAML::Node& options, const std::string& file);
std::unique_ptr<Check> MakeLatencyCheck(const YAML::Node& options, const std::string& file);
std::unique_ptr<Check> MakeThroughputCheck(const YAML::Node& options, const std::string& file);
std::unique_ptr<Check> MakeHygieneCheck(const YAML::Node& options, const std::string& file);

}  // namespace traceproof
