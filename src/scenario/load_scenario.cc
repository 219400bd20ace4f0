// YAML -> Scenario. Reads the top level in an order where each part can be checked against the
// parts it refers to: services (and faults) first, then load phases (routes must exist),
// sampling (overrides name services), the Collector, broker and sink tier (their faults), checks
// (a sink tier adds its own), and expect (names check kinds). Each section has its own parser
// (scenario/*_section.h); the first mistake throws a LoadError at the position of the offending key
// or value.
#include "scenario/load_scenario.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "scenario/broker_section.h"
#include "scenario/checks_section.h"
#include "scenario/collector_section.h"
#include "scenario/external_services_section.h"
#include "scenario/load_section.h"
#include "scenario/runner_faults.h"
#include "scenario/sampling_section.h"
#include "scenario/scenario_keys.h"
#include "scenario/scenario_reader.h"
#include "scenario/services_section.h"
#include "scenario/sink_section.h"

namespace traceproof {

namespace {

using loader::ScenarioReader;

// "Slow Checkout!" -> "slow-checkout", for the hint on a bad name.
std::string Slug(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (keep) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string ParseName(ScenarioReader& r, const Field& field) {
  const std::string name = r.String(field);
  const bool ok =
      !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      });
  if (!ok) {
    const std::string slug = Slug(name);
    r.Fail(field, "bad name '" + name +
                      "': want 1 to 64 lowercase letters, digits and '-' (it names "
                      "results/<name>/)" +
                      (slug.empty() ? "" : ", e.g. '" + slug + "'"));
  }
  return name;
}

Scenario ParseScenario(ScenarioReader& r, const YAML::Node& root) {
  if (!root.IsDefined() || root.IsNull()) {
    r.Fail(SourcePos{r.file(), 1, 1},
           "empty scenario: want a map with at least 'name:', 'services:' and 'load:' (see "
           "docs/scenarios.md)");
  }
  Scenario scenario;
  scenario.file = r.file();
  const std::vector<Field> top =
      r.Fields(root, "the scenario", "at the top level", loader::kTopLevelKeys);

  const Field* name = r.Find(top, "name");
  if (!name) {
    r.Fail(root,
           "missing 'name:' (the scenario's name, lowercase letters, digits and '-'; "
           "results go to results/<name>/)");
  }
  scenario.name = ParseName(r, *name);
  if (const Field* f = r.Find(top, "description")) scenario.description = r.String(*f);

  loader::RunnerFaults runner_faults;
  loader::ParseServices(r, top, runner_faults, scenario);

  const Field* load = r.Find(top, "load");
  if (!load) {
    r.Fail(root,
           "missing 'load:' (a list of phases, e.g. - { route: \"gateway POST /checkout\", "
           "rate: 200/s, duration: 20s })");
  }
  loader::ParseLoad(r, root, *load, scenario);
  if (scenario.external_services) loader::CheckExternalServices(r, top, scenario);

  if (const Field* f = r.Find(top, "warmup")) {
    scenario.warmup = r.NonNegativeDuration(*f, "warmup");
  }
  if (const Field* f = r.Find(top, "drain")) loader::ParseDrain(r, *f, scenario);
  if (const Field* f = r.Find(top, "sampling")) loader::ParseSampling(r, *f, scenario);
  if (const Field* f = r.Find(top, "collector")) loader::ParseCollector(r, *f, scenario);
  if (const Field* f = r.Find(top, "broker")) loader::ParseBroker(r, *f, scenario);
  if (const Field* f = r.Find(top, "sink")) loader::ParseSink(r, *f, scenario);
  loader::AttachCollectorFaults(r, std::move(runner_faults.collector), scenario);
  loader::AttachBrokerFaults(r, std::move(runner_faults.broker), scenario);
  loader::AttachSinkFaults(r, std::move(runner_faults.sink), scenario);
  if (const Field* f = r.Find(top, "checks")) loader::ParseChecks(r, *f, scenario);
  loader::CheckSinkTierChecks(r, scenario);
  loader::CheckSinkTlsSenders(r, scenario);
  if (const Field* f = r.Find(top, "expect")) loader::ParseExpect(r, *f, scenario);
  return scenario;
}

}  // namespace

Scenario LoadScenario(const YAML::Node& root, const std::string& file) {
  ScenarioReader reader(file);
  return ParseScenario(reader, root);
}

Scenario LoadScenarioFile(const std::string& path) {
  return LoadScenario(LoadYamlFile(path), path);
}

}  // namespace traceproof
