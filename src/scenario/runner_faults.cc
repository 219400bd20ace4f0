#include "scenario/runner_faults.h"

#include <chrono>
#include <string>

#include "scenario/scenario_keys.h"

namespace traceproof::loader {

namespace {

using Nanos = std::chrono::nanoseconds;

// A fault the runner injects at a time: `{ <kind_key>: KIND, at: DURATION, ... }`, e.g.
// { collector: kill, at: 10s }. Checks the kind and that `at` is there; returns the fields.
std::vector<Field> TimedFault(ScenarioReader& r, const YAML::Node& node, const SourcePos& pos,
                              const std::string& kind_key, const std::string& example,
                              const std::vector<std::string>& kinds,
                              const std::vector<std::string>& keys, Nanos& at) {
  const std::vector<Field> fields =
      r.Fields(node, pos, "a " + kind_key + " fault (e.g. { " + kind_key + ": " + example + " })",
               "in a " + kind_key + " fault", keys);
  const Field* kind = r.Find(fields, kind_key);
  const std::string text = r.String(*kind);
  if (!Contains(kinds, text)) {
    r.Fail(*kind, "unknown " + kind_key + " fault '" + text + "'; expected one of: " + Join(kinds) +
                      DidYouMean(text, kinds));
  }
  const Field* at_field = r.Find(fields, "at");
  if (!at_field) {
    r.Fail(pos, kind_key + " fault needs 'at' (time after the load starts), e.g. " +
                    example.substr(example.find("at:")));
  }
  at = r.NonNegativeDuration(*at_field, "'at'");
  return fields;
}

void ParseCollectorFault(ScenarioReader& r, const YAML::Node& node, RunnerFaults& runner) {
  CollectorFault fault;
  fault.pos = r.Pos(node);
  const std::vector<Field> fields = TimedFault(r, node, fault.pos, "collector", "kill, at: 10s",
                                               kCollectorFaultKinds, kCollectorFaultKeys, fault.at);
  if (const Field* f = r.Find(fields, "restart")) fault.restart = r.Bool(*f);
  if (const Field* f = r.Find(fields, "restart_after")) {
    if (!fault.restart) r.Fail(f->key, "'restart_after' needs restart: true");
    fault.restart_after = r.NonNegativeDuration(*f, "'restart_after'");
  }
  runner.collector.push_back(fault);
}

void ParseBrokerFault(ScenarioReader& r, const YAML::Node& node, RunnerFaults& runner) {
  BrokerFault fault;
  fault.pos = r.Pos(node);
  TimedFault(r, node, fault.pos, "broker", "restart, at: 3s", kBrokerFaultKinds, kBrokerFaultKeys,
             fault.at);
  runner.broker.push_back(fault);
}

void ParseSinkFault(ScenarioReader& r, const YAML::Node& node, RunnerFaults& runner) {
  SinkFault fault;
  fault.pos = r.Pos(node);
  const std::vector<Field> fields = TimedFault(r, node, fault.pos, "sink", "kill, index: 1, at: 4s",
                                               kSinkFaultKinds, kSinkFaultKeys, fault.at);
  const Field* index = r.Find(fields, "index");
  if (!index) r.Fail(fault.pos, "sink fault needs 'index' (which sink, from 0), e.g. index: 1");
  // The upper bound is the tier's size, checked when the fault is attached (sink_section.h).
  fault.index = static_cast<int>(r.Int(*index, 0, 15));
  runner.sink.push_back(fault);
}

}  // namespace

std::optional<Field> SplitRunnerFaults(ScenarioReader& r, const Field& faults,
                                       RunnerFaults& runner) {
  if (!faults.value.IsSequence()) return faults;  // the services loader names the mistake
  YAML::Node rest(YAML::NodeType::Sequence);
  for (const auto& item : faults.value) {
    if (item.IsMap() && item["collector"]) {
      ParseCollectorFault(r, item, runner);
    } else if (item.IsMap() && item["broker"]) {
      ParseBrokerFault(r, item, runner);
    } else if (item.IsMap() && item["sink"]) {
      ParseSinkFault(r, item, runner);
    } else {
      rest.push_back(item);
    }
  }
  if (rest.size() == 0 && faults.value.size() > 0) return std::nullopt;  // all the runner's
  if (rest.size() == faults.value.size()) return faults;
  Field f = faults;
  f.value = rest;
  return f;
}

}  // namespace traceproof::loader
