#include "scenario/load_section.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>

#include "scenario/load_scenario.h"
#include "scenario/scenario_keys.h"

namespace traceproof {
namespace loader {

namespace {

using Nanos = std::chrono::nanoseconds;

constexpr double kMaxRatePerS = 10e6;
constexpr const char* kRateHint =
    "want requests per second, minute or hour, e.g. 200/s, 1.5k/s, 60/m";
constexpr const char* kRouteExample = "'SERVICE METHOD /path', e.g. \"gateway POST /checkout\"";

// "gateway POST /checkout": the first route of the graph, for hints.
std::string ExampleRoute(const ServiceGraph& graph) {
  for (const auto& s : graph.services) {
    if (s.external.empty() && !s.routes.empty()) {
      return s.name + " " + s.routes[0].method + " " + s.routes[0].path;
    }
  }
  return "gateway POST /checkout";
}

double PerSecond(ScenarioReader& r, const Field& field, bool allow_zero) {
  if (!field.value.IsScalar()) {
    r.Fail(field,
           "want a rate for '" + field.name + "', got " + Describe(field.value) + ": " + kRateHint);
  }
  const std::string text = field.value.Scalar();
  const std::optional<double> rate = ParseRatePerSecond(text);
  if (!rate) {
    const bool bare = !text.empty() && text.find('/') == std::string::npos &&
                      ParseRatePerSecond(text + "/s").has_value();
    r.Fail(field, "bad rate '" + text + "' for '" + field.name + "': " + kRateHint +
                      (bare ? " (a rate needs its unit: '" + text + "/s')" : ""));
  }
  if (allow_zero ? *rate < 0 : *rate <= 0) {
    r.Fail(field, "'" + field.name + "' is " + text + ": want a rate " +
                      (allow_zero ? ">= 0" : "> 0") + ", e.g. 200/s");
  }
  if (*rate > kMaxRatePerS)
    r.Fail(field, "'" + field.name + "' is " + text + ": want at most 10M/s");
  return *rate;
}

void ParseRoute(ScenarioReader& r, const Field& field, const ServiceGraph& graph,
                LoadPhase& phase) {
  const std::string text = r.String(field);
  const std::vector<std::string> words = SplitWords(text);
  if (words.size() != 3 || !words[2].starts_with('/')) {
    r.Fail(field, "bad route '" + text + "': want " + kRouteExample);
  }
  const ServiceDef& service = r.RequireService(graph, words[0], r.Pos(field), "route names");
  if (!service.external.empty()) {
    r.Fail(field, "service '" + service.name + "' is external (at " + service.external +
                      "; traceproof does not run it): route load to a service traceproof runs");
  }
  // The user's app declares no routes: like a call step, load may go to any of its paths
  // (with traceparent: fresh, the propagation check judges the app as the entry too).
  if (!service.app) r.RequireRoute(service, words[1], words[2], r.Pos(field));
  phase.service = words[0];
  phase.method = words[1];
  phase.path = words[2];
}

void ParseSpans(ScenarioReader& r, const Field& field, LoadPhase& phase) {
  const std::vector<Field> fields =
      r.Fields(field.value, r.Pos(field), "'spans' (e.g. { per_request: 100, per_trace: 5 })",
               "in spans", kSpansKeys);
  const Field* per_request = r.Find(fields, "per_request");
  if (!per_request) {
    r.Fail(field,
           "'spans' needs 'per_request' (spans in each OTLP export request), e.g. "
           "spans: { per_request: 100, per_trace: 5 }");
  }
  phase.span_load = true;
  phase.spans_per_request = static_cast<int>(r.Int(*per_request, 1, 100000));
  if (const Field* f = r.Find(fields, "per_trace")) {
    phase.spans_per_trace = static_cast<int>(r.Int(*f, 1, 10000));
  }
}

// `arrival` and its rates: 'rate' for constant and poisson, 'from' -> 'to' for ramping.
void ParseArrival(ScenarioReader& r, const std::vector<Field>& fields, const std::string& label,
                  LoadPhase& phase) {
  std::string arrival = "constant";
  const Field* arrival_field = r.Find(fields, "arrival");
  if (arrival_field) {
    arrival = r.String(*arrival_field);
    if (!Contains(kArrivals, arrival)) {
      r.Fail(*arrival_field, "unknown arrival '" + arrival + "'; expected one of: " +
                                 Join(kArrivals) + DidYouMean(arrival, kArrivals));
    }
  }
  const Field* rate = r.Find(fields, "rate");
  const Field* from = r.Find(fields, "from");
  const Field* to = r.Find(fields, "to");
  if (arrival == "ramping") {
    phase.arrival = LoadPhase::Arrival::kRamping;
    if (rate) {
      r.Fail(rate->key,
             "a ramping phase goes 'from' -> 'to'; 'rate' is for constant and poisson phases");
    }
    if (!from || !to) {
      r.Fail(*arrival_field, std::string("arrival: ramping needs '") + (from ? "to" : "from") +
                                 "', e.g. { arrival: ramping, from: 200/s, to: 2000/s, "
                                 "duration: 30s }");
    }
    phase.from_per_s = PerSecond(r, *from, /*allow_zero=*/true);
    phase.to_per_s = PerSecond(r, *to, /*allow_zero=*/false);
  } else {
    phase.arrival =
        arrival == "poisson" ? LoadPhase::Arrival::kPoisson : LoadPhase::Arrival::kConstant;
    if (from || to) {
      const Field& extra = from ? *from : *to;
      r.Fail(extra.key, "'" + extra.name + "' is for arrival: ramping; a " + arrival +
                            " phase has one 'rate'" +
                            (arrival_field ? "" : " (arrival defaults to constant)"));
    }
    if (!rate) r.Fail(phase.pos, label + " (" + arrival + ") needs 'rate', e.g. rate: 200/s");
    phase.rate_per_s = PerSecond(r, *rate, /*allow_zero=*/false);
  }
}

// How long the phase runs, on how many connections, with what timeout per request.
void ParseLimits(ScenarioReader& r, const std::vector<Field>& fields, const std::string& label,
                 LoadPhase& phase) {
  const Field* duration = r.Find(fields, "duration");
  if (!duration) r.Fail(phase.pos, label + " needs 'duration', e.g. duration: 20s");
  phase.duration = r.PositiveDuration(*duration);
  if (const Field* f = r.Find(fields, "connections")) {
    phase.connections = static_cast<int>(r.Int(*f, 1, 100000));
  }
  if (const Field* f = r.Find(fields, "timeout")) {
    const Nanos timeout = r.PositiveDuration(*f);
    if (timeout < std::chrono::milliseconds(1)) {
      r.Fail(*f, "'timeout' is " + f->value.Scalar() + ": want at least 1ms");
    }
    phase.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
  }
}

// What the phase sends: requests to a route (its own, or the last request phase's), or spans.
void ParseTarget(ScenarioReader& r, const YAML::Node& root, const std::vector<Field>& fields,
                 const std::string& label, const std::optional<LoadPhase>& last_request,
                 const Scenario& scenario, LoadPhase& phase) {
  const Field* route = r.Find(fields, "route");
  const Field* spans = r.Find(fields, "spans");
  if (spans) {
    if (route) {
      r.Fail(route->key,
             "a phase sends either requests ('route') or spans ('spans') to the sink, not both");
    }
    ParseSpans(r, *spans, phase);
  } else if (route) {
    if (scenario.services_source == "none") {
      r.Fail(root, "missing 'services:' (" + label + " sends requests to '" +
                       (route->value.IsScalar() ? route->value.Scalar() : "?") +
                       "'), e.g. services: { preset: seed-checkout }");
    }
    ParseRoute(r, *route, scenario.services, phase);
  } else if (last_request) {
    phase.service = last_request->service;
    phase.method = last_request->method;
    phase.path = last_request->path;
  } else {
    r.Fail(phase.pos, label +
                          " is the first request phase and has no 'route' (\"SERVICE METHOD "
                          "/path\"): add e.g. route: \"" +
                          ExampleRoute(scenario.services) +
                          "\", or 'spans:' for span load straight at the sink");
  }
}

// `traceparent: fresh` (the only value: without the key, requests carry no trace context).
void ParseTraceparent(ScenarioReader& r, const std::vector<Field>& fields, LoadPhase& phase) {
  const Field* f = r.Find(fields, "traceparent");
  if (!f) return;
  if (phase.span_load) r.Fail(f->key, "'traceparent' is for request phases, not span load");
  const std::string value = r.String(*f);
  if (value != "fresh") {
    r.Fail(f->value, "'traceparent' is '" + value +
                         "': want 'fresh' (each request starts a new sampled trace)");
  }
  phase.fresh_traceparent = true;
}

LoadPhase ParsePhase(ScenarioReader& r, const YAML::Node& root, const YAML::Node& node,
                     std::size_t index, const std::optional<LoadPhase>& last_request,
                     const Scenario& scenario) {
  LoadPhase phase;
  phase.pos = r.Pos(node);
  const std::string label = "load phase " + std::to_string(index);
  const std::vector<Field> fields = r.Fields(node, phase.pos, label, "in " + label, kPhaseKeys);
  ParseArrival(r, fields, label, phase);
  ParseLimits(r, fields, label, phase);
  ParseTarget(r, root, fields, label, last_request, scenario, phase);
  ParseTraceparent(r, fields, phase);
  return phase;
}

}  // namespace

void ParseLoad(ScenarioReader& r, const YAML::Node& root, const Field& load, Scenario& scenario) {
  if (!load.value.IsSequence()) {
    r.Fail(load, "want a list of phases for 'load', got " + Describe(load.value) +
                     " (each phase starts with '-')");
  }
  if (load.value.size() == 0) {
    r.Fail(load,
           "'load' has no phases: want at least one, e.g. - { route: \"gateway POST "
           "/checkout\", rate: 200/s, duration: 20s }");
  }
  // A request phase without a route repeats the route of the last request phase before it.
  std::optional<LoadPhase> last_request;
  std::size_t index = 0;
  for (const auto& item : load.value) {
    LoadPhase phase = ParsePhase(r, root, item, ++index, last_request, scenario);
    if (!phase.span_load) last_request = phase;
    scenario.load.push_back(std::move(phase));
  }
}

void ParseDrain(ScenarioReader& r, const Field& field, Scenario& scenario) {
  const std::vector<Field> fields =
      r.Fields(field.value, r.Pos(field), "'drain' (e.g. { quiet: 500ms, max: 15s })", "in drain",
               kDrainKeys);
  if (const Field* f = r.Find(fields, "quiet")) scenario.drain_quiet = r.PositiveDuration(*f);
  if (const Field* f = r.Find(fields, "max")) scenario.drain_max = r.PositiveDuration(*f);
  if (scenario.drain_max < scenario.drain_quiet) {
    const Field* f = r.Find(fields, "max");
    r.Fail(f ? *f : field, "drain 'max' is shorter than 'quiet': want max >= quiet (" +
                               std::to_string(scenario.drain_quiet.count() / 1000000) + "ms)");
  }
}

}  // namespace loader

std::optional<double> ParseRatePerSecond(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view unit = text.substr(slash + 1);
  double per_unit_s = 0;
  if (unit == "s") {
    per_unit_s = 1;
  } else if (unit == "m") {
    per_unit_s = 60;
  } else if (unit == "h") {
    per_unit_s = 3600;
  } else {
    return std::nullopt;
  }
  std::string_view number = text.substr(0, slash);
  double multiplier = 1;
  if (!number.empty() && number.back() == 'k')
    multiplier = 1e3, number.remove_suffix(1);
  else if (!number.empty() && number.back() == 'M')
    multiplier = 1e6, number.remove_suffix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value * multiplier / per_unit_s;
}

}  // namespace traceproof
