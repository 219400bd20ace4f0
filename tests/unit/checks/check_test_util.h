// Building checks from YAML text in tests, the way the scenario loader does.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "checks/make_check.h"

namespace traceproof::testing {

inline std::unique_ptr<Check> CheckFromYaml(const std::string& yaml) {
  return MakeCheck(YAML::Load(yaml), "scenario.yaml");
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
