// The keys the scenario loader accepts in each map of a scenario, and the values of its
// enumerations, in one table: each section's parser checks against these lists, and
// ScenarioKeySets (load_scenario.h) hands the same lists to the test that keeps
// docs/scenarios.md in step. Constants; read from any thread.
#pragma once

#include <string>
#include <vector>

namespace traceproof::loader {

extern const std::vector<std::string> kTopLevelKeys;
extern const std::vector<std::string> kCollectorKeys;
extern const std::vector<std::string> kExternalServicesKeys;
extern const std::vector<std::string> kCollectorFaultKeys;
extern const std::vector<std::string> kCollectorFaultKinds;
extern const std::vector<std::string> kBrokerFaultKeys;
extern const std::vector<std::string> kBrokerFaultKinds;
extern const std::vector<std::string> kSinkKeys;
extern const std::vector<std::string> kSinkTlsKeys;
extern const std::vector<std::string> kSinkFaultKeys;
extern const std::vector<std::string> kSinkFaultKinds;
extern const std::vector<std::string> kServicesReferenceKeys;
extern const std::vector<std::string> kPhaseKeys;
extern const std::vector<std::string> kSpansKeys;
extern const std::vector<std::string> kDrainKeys;
extern const std::vector<std::string> kSamplingKeys;
extern const std::vector<std::string> kSamplerKeys;
extern const std::vector<std::string> kExpectKeys;
extern const std::vector<std::string> kBrokerKeys;
extern const std::vector<std::string> kArrivals;
extern const std::vector<std::string> kSamplers;
extern const std::vector<std::string> kVerdicts;

}  // namespace traceproof::loader
