#include "scenario/sink_section.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "scenario/scenario_keys.h"

namespace traceproof::loader {
namespace {

// `require_headers: { NAME: VALUE }`, each VALUE expanded from the environment; an unset
// variable is reported at the value, naming the variable (never a value).
RequiredHeaders ParseRequireHeaders(ScenarioReader& r, const Field& field) {
  RequiredHeaders headers;
  // Checked here rather than by Entries, whose message quotes the value: it may be the token.
  if (!field.value.IsMap())
    r.Fail(field.value,
           "want a map of header name to value for 'require_headers', e.g. "
           "{ authorization: \"Bearer ${TOKEN}\" }");
  for (const Field& entry :
       r.Entries(field.value, r.Pos(field),
                 "'require_headers' (e.g. { authorization: \"Bearer ${TOKEN}\" })")) {
    std::string error;
    std::optional<RequiredHeader> header = MakeRequiredHeader(
        entry.name, r.String(entry), [](const char* name) { return std::getenv(name); }, error);
    if (!header) r.Fail(entry.value, "require_headers: " + error);
    for (const RequiredHeader& h : headers)
      if (h.name == header->name) r.Fail(entry.key, "require_headers: '" + h.name + "' twice");
    headers.push_back(std::move(*header));
  }
  if (headers.empty())
    r.Fail(field,
           "'require_headers' is empty: name at least one header, e.g. { authorization: "
           "\"Bearer ${TOKEN}\" }");
  return headers;
}

}  // namespace

void ParseSink(ScenarioReader& r, const Field& field, Scenario& scenario) {
  SinkTierSpec spec;
  spec.pos = r.Pos(field);
  const std::vector<Field> fields =
      r.Fields(field.value, r.Pos(field), "'sink' (e.g. { count: 3 })", "in sink", kSinkKeys);
  const Field* count = r.Find(fields, "count");
  const Field* require_headers = r.Find(fields, "require_headers");
  if (!count && !require_headers)
    r.Fail(field, "'sink' needs 'count' (how many sinks, 1.." + std::to_string(kMaxSinks) +
                      "), e.g. sink: { count: 3 }, or 'require_headers'");
  if (require_headers) spec.require_headers = ParseRequireHeaders(r, *require_headers);
  if (count) spec.count = static_cast<int>(r.Int(*count, 1, kMaxSinks));
  if (spec.count == 1) {  // one embedded sink: no Collector needed in front of it
    scenario.sink = std::move(spec);
    return;
  }
  // The sinks' endpoints reach the Collector only through the environment of the process
  // traceproof starts; one that runs elsewhere exports where its own config says.
  if (!scenario.collector) {
    r.Fail(field,
           "'sink' needs a Collector in front of the sinks (its loadbalancing exporter routes "
           "to TRACEPROOF_SINK_ENDPOINT_0 .. _N-1): add 'collector: { config: "
           "../compose/collector/loadbalancing-config.yaml }'");
  }
  if (scenario.collector->external) {
    r.Fail(field,
           "'sink' needs the Collector traceproof starts ('collector: { config: PATH }'): "
           "it tells that one the sinks' endpoints; an external one (" +
               scenario.collector->endpoint.Text() + ") exports where its config says");
  }
  scenario.sink = std::move(spec);
}

void AttachSinkFaults(ScenarioReader& r, std::vector<SinkFault> faults, Scenario& scenario) {
  if (faults.empty()) return;
  if (!scenario.sink) {
    r.Fail(faults.front().pos,
           "a 'sink:' fault needs a sink tier: add 'sink: { count: N }' (and a Collector that "
           "routes to the sinks)");
  }
  for (const SinkFault& f : faults) {
    if (f.index >= scenario.sink->count) {
      r.Fail(f.pos, "sink fault names sink " + std::to_string(f.index) + ", but the tier has " +
                        std::to_string(scenario.sink->count) + " (indexes 0.." +
                        std::to_string(scenario.sink->count - 1) + ")");
    }
    for (const SinkFault& g : faults) {
      if (&g != &f && g.index == f.index && &g < &f)
        r.Fail(f.pos, "sink " + std::to_string(f.index) +
                          " is killed twice: a killed sink stays down for the rest of the run");
    }
  }
  scenario.sink->faults = std::move(faults);
}

void CheckSinkTierChecks(ScenarioReader& r, Scenario& scenario) {
  const bool tier = scenario.sink && scenario.sink->count > 1;
  const auto it = std::find_if(scenario.checks.begin(), scenario.checks.end(),
                               [](const CheckSpec& c) { return c.kind == "sinks"; });
  if (it != scenario.checks.end() && !tier) {
    r.Fail(it->pos, "a 'sinks' check judges a sink tier: add 'sink: { count: N }' with N >= 2");
  }
  if (tier && it == scenario.checks.end()) {
    SinksSpec spec;
    spec.pos = scenario.sink->pos;
    scenario.checks.push_back(CheckSpec{.kind = "sinks", .options = spec, .pos = spec.pos});
  }
}

}  // namespace traceproof::loader
