#include "scenario/scenario_keys.h"

#include "scenario/load_scenario.h"

namespace traceproof {
namespace loader {

const std::vector<std::string> kTopLevelKeys = {
    "broker", "checks", "collector", "description", "drain",    "expect", "faults",
    "load",   "name",   "sampling",  "scale",       "services", "sink",   "warmup"};
const std::vector<std::string> kCollectorKeys = {"binary", "config", "endpoint", "metrics",
                                                 "ready_timeout"};
const std::vector<std::string> kExternalServicesKeys = {"admin", "endpoints", "ready_timeout"};
const std::vector<std::string> kCollectorFaultKeys = {"at", "collector", "restart",
                                                      "restart_after"};
const std::vector<std::string> kCollectorFaultKinds = {"kill"};
const std::vector<std::string> kBrokerFaultKeys = {"at", "broker"};
const std::vector<std::string> kBrokerFaultKinds = {"restart"};
const std::vector<std::string> kSinkKeys = {"count", "require_headers", "tls"};
const std::vector<std::string> kSinkTlsKeys = {"ca",         "cert", "client_ca",  "client_cert",
                                               "client_key", "key",  "server_name"};
const std::vector<std::string> kSinkFaultKeys = {"at", "index", "sink"};
const std::vector<std::string> kSinkFaultKinds = {"kill"};
const std::vector<std::string> kServicesReferenceKeys = {"external", "file", "preset", "scale"};
const std::vector<std::string> kPhaseKeys = {"arrival", "connections", "duration", "from",
                                             "rate",    "route",       "spans",    "timeout",
                                             "to",      "traceparent"};
const std::vector<std::string> kSpansKeys = {"per_request", "per_trace"};
const std::vector<std::string> kDrainKeys = {"max", "quiet"};
const std::vector<std::string> kSamplingKeys = {"head", "overrides"};
const std::vector<std::string> kSamplerKeys = {"ratio", "sampler"};
const std::vector<std::string> kExpectKeys = {"failing", "verdict"};
const std::vector<std::string> kBrokerKeys = {"amqp"};
const std::vector<std::string> kArrivals = {"constant", "ramping", "poisson"};
const std::vector<std::string> kSamplers = {"always_on",
                                            "always_off",
                                            "traceidratio",
                                            "parentbased_always_on",
                                            "parentbased_always_off",
                                            "parentbased_traceidratio"};
const std::vector<std::string> kVerdicts = {"pass", "fail"};

}  // namespace loader

using loader::kArrivals;
using loader::kBrokerFaultKeys;
using loader::kBrokerKeys;
using loader::kCollectorFaultKeys;
using loader::kCollectorKeys;
using loader::kDrainKeys;
using loader::kExpectKeys;
using loader::kExternalServicesKeys;
using loader::kPhaseKeys;
using loader::kSamplerKeys;
using loader::kSamplers;
using loader::kSamplingKeys;
using loader::kServicesReferenceKeys;
using loader::kSinkFaultKeys;
using loader::kSinkKeys;
using loader::kSinkTlsKeys;
using loader::kSpansKeys;
using loader::kTopLevelKeys;

const std::vector<ScenarioKeySet>& ScenarioKeySets() {
  static const std::vector<ScenarioKeySet> sets = {
      {"top level", kTopLevelKeys},
      {"services (preset or file)", kServicesReferenceKeys},
      {"services.external", kExternalServicesKeys},
      {"load phase", kPhaseKeys},
      {"spans", kSpansKeys},
      {"drain", kDrainKeys},
      {"sampling", kSamplingKeys},
      {"sampler (head and overrides)", kSamplerKeys},
      {"expect", kExpectKeys},
      {"broker", kBrokerKeys},
      {"collector", kCollectorKeys},
      {"collector fault", kCollectorFaultKeys},
      {"broker fault", kBrokerFaultKeys},
      {"sink", kSinkKeys},
      {"sink.tls", kSinkTlsKeys},
      {"sink fault", kSinkFaultKeys},
  };
  return sets;
}
const std::vector<std::string>& ScenarioTopLevelKeys() { return kTopLevelKeys; }
const std::vector<std::string>& ArrivalNames() { return kArrivals; }
const std::vector<std::string>& SamplerNames() { return kSamplers; }

}  // namespace traceproof
