// Building checks from YAML text in tests, the way a run does: the spec parsed as the scenario
// loader parses it, the check built from the spec.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "checks/make_check.h"

namespace traceproof::testing {

inline std::unique_ptr<Check> CheckFromYaml(const std::string& yaml) {
  return MakeCheck(ParseCheckSpec(YAML::Load(yaml), "scenario.yaml"));
}

// The LoadError message for a bad check, or "" when it loads.
inline std::string LoadErrorOf(const std::string& yaml) {
  try {
    CheckFromYaml(yaml);
  } catch (const LoadError& e) {
    return e.what();
  }
  return "";
}

}  // namespace traceproof::testing
