// Loads a scenario file (docs/scenarios.md) into a Scenario (scenario.h), strictly: every
// unknown key is an error with a did-you-mean hint, every value is checked against what the
// rest of the file says (routes against the services, sampler overrides and faults against
// service names, expected failures against the checks), and the first mistake found throws a
// LoadError whose what() is "file:line:col: message". Called at the edge (`traceproof
// validate`, `traceproof run`), so it throws; nothing deeper catches.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.h"

namespace traceproof {

// Reads and loads `path`; unreadable files and YAML syntax errors are LoadErrors too.
Scenario LoadScenarioFile(const std::string& path);
// `file` names the source in positions; `services: {file: ...}` is resolved relative to its
// directory.
Scenario LoadScenario(const YAML::Node& root, const std::string& file);

// The keys the loader accepts in each map of a scenario, and the values of its enumerations,
// so docs/scenarios.md can be tested against them (every one must be documented).
struct ScenarioKeySet {
  std::string where;  // "top level", "load phase", ...
  std::vector<std::string> keys;
};
const std::vector<ScenarioKeySet>& ScenarioKeySets();
const std::vector<std::string>& ScenarioTopLevelKeys();
const std::vector<std::string>& ArrivalNames();  // constant, ramping, poisson
const std::vector<std::string>& SamplerNames();  // always_on, ..., parentbased_traceidratio

// "200/s", "1.5k/s", "60/m", "3600/h" -> per second (any sign; the loader wants > 0);
// nullopt when the text is not a number with an optional k/M multiplier and a /s, /m or /h.
std::optional<double> ParseRatePerSecond(std::string_view text);

}  // namespace traceproof
