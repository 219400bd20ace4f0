// YAML -> Scenario. Reads the top level in an order where each part can be checked against the
// parts it refers to: services (and faults) first, then load phases (routes must exist),
// sampling (overrides name services), checks, and expect (names check kinds). The first
// mistake throws a LoadError at the position of the offending key or value.
#include "scenario/load_scenario.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <functional>
#include <set>
#include <sstream>

#include "checks/check_spec.h"
#include "config/amqp_url.h"
#include "config/env_expand.h"
#include "config/yaml_reader.h"
#include "graph/load_graph.h"

namespace traceproof {
namespace {

namespace fs = std::filesystem;
using Nanos = std::chrono::nanoseconds;

const std::vector<std::string> kTopLevelKeys = {
    "broker", "checks", "collector", "description", "drain",    "expect", "faults",
    "load",   "name",   "sampling",  "scale",       "services", "warmup"};
const std::vector<std::string> kCollectorKeys = {"binary", "config", "endpoint", "metrics",
                                                 "ready_timeout"};
const std::vector<std::string> kExternalServicesKeys = {"admin", "endpoints", "ready_timeout"};
const std::vector<std::string> kCollectorFaultKeys = {"at", "collector", "restart",
                                                      "restart_after"};
const std::vector<std::string> kCollectorFaultKinds = {"kill"};
const std::vector<std::string> kBrokerFaultKeys = {"at", "broker"};
const std::vector<std::string> kBrokerFaultKinds = {"restart"};
const std::vector<std::string> kServicesReferenceKeys = {"external", "file", "preset", "scale"};
const std::vector<std::string> kPhaseKeys = {"arrival", "connections", "duration", "from", "rate",
                                             "route",   "spans",       "timeout",  "to"};
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

constexpr double kMaxRatePerS = 10e6;
constexpr const char* kRateHint =
    "want requests per second, minute or hour, e.g. 200/s, 1.5k/s, 60/m";
constexpr const char* kRouteExample = "'SERVICE METHOD /path', e.g. \"gateway POST /checkout\"";

bool Contains(const std::vector<std::string>& items, std::string_view item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

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

// Where presets live: the source tree (builds and tests), then beside an installed binary.
std::vector<fs::path> PresetDirs() {
  std::vector<fs::path> dirs = {fs::path(TRACEPROOF_PRESETS_DIR)};
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(exe.parent_path().parent_path() / "mock_services" / "presets");
  return dirs;
}

std::vector<std::string> PresetNames() {
  std::set<std::string> names;
  for (const fs::path& dir : PresetDirs()) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".yaml") names.insert(entry.path().stem().string());
    }
  }
  return {names.begin(), names.end()};
}

class ScenarioParser : public YamlReader {
 public:
  explicit ScenarioParser(const std::string& file) : YamlReader(file) {}

  Scenario Parse(const YAML::Node& root) {
    if (!root.IsDefined() || root.IsNull()) {
      Fail(SourcePos{file_, 1, 1},
           "empty scenario: want a map with at least 'name:', 'services:' and 'load:' (see "
           "docs/scenarios.md)");
    }
    Scenario scenario;
    scenario.file = file_;
    const std::vector<Field> top = Fields(root, "the scenario", "at the top level", kTopLevelKeys);

    const Field* name = Find(top, "name");
    if (!name) {
      Fail(root,
           "missing 'name:' (the scenario's name, lowercase letters, digits and '-'; "
           "results go to results/<name>/)");
    }
    scenario.name = ParseName(*name);
    if (const Field* f = Find(top, "description")) scenario.description = String(*f);

    ParseServices(top, scenario);

    const Field* load = Find(top, "load");
    if (!load) {
      Fail(root,
           "missing 'load:' (a list of phases, e.g. - { route: \"gateway POST /checkout\", "
           "rate: 200/s, duration: 20s })");
    }
    ParseLoad(root, *load, scenario);
    if (scenario.external_services) CheckExternalServices(top, scenario);

    if (const Field* f = Find(top, "warmup")) scenario.warmup = NonNegativeDuration(*f, "warmup");
    if (const Field* f = Find(top, "drain")) ParseDrain(*f, scenario);
    if (const Field* f = Find(top, "sampling")) ParseSampling(*f, scenario);
    if (const Field* f = Find(top, "collector")) ParseCollector(*f, scenario);
    if (const Field* f = Find(top, "broker")) ParseBroker(*f, scenario);
    if (!collector_faults_.empty()) {
      if (!scenario.collector) {
        Fail(collector_faults_.front().pos,
             "a 'collector:' fault needs a Collector: add 'collector: { config: PATH }'");
      }
      if (scenario.collector->external) {
        Fail(collector_faults_.front().pos,
             "a 'collector:' fault needs the Collector traceproof starts ('collector: { config: "
             "PATH }'); it cannot kill one it does not own (" +
                 scenario.collector->endpoint.Text() + ")");
      }
      scenario.collector->faults = std::move(collector_faults_);
    }
    if (!broker_faults_.empty()) {
      if (!scenario.broker) {
        Fail(broker_faults_.front().pos,
             "a 'broker:' fault needs a broker traceproof starts: add 'broker: rabbitmq'");
      }
      if (!scenario.broker->start_rabbitmq) {
        Fail(broker_faults_.front().pos,
             "'broker: restart' needs the broker traceproof starts ('broker: rabbitmq'); it "
             "cannot restart one it does not own (" +
                 scenario.broker->amqp_url + ")");
      }
      scenario.broker->faults = std::move(broker_faults_);
    }
    if (const Field* f = Find(top, "checks")) ParseChecks(*f, scenario);
    if (const Field* f = Find(top, "expect")) ParseExpect(*f, scenario);
    return scenario;
  }

 private:
  std::string ParseName(const Field& field) {
    const std::string name = String(field);
    const bool ok =
        !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        });
    if (!ok) {
      const std::string slug = Slug(name);
      Fail(field, "bad name '" + name +
                      "': want 1 to 64 lowercase letters, digits and '-' (it names "
                      "results/<name>/)" +
                      (slug.empty() ? "" : ", e.g. '" + slug + "'"));
    }
    return name;
  }

  // ---- services and faults ------------------------------------------------------------------

  void ParseServices(const std::vector<Field>& top, Scenario& scenario) {
    const Field* services = Find(top, "services");
    const Field* scale = Find(top, "scale");
    const Field* faults_field = Find(top, "faults");
    // Collector and broker faults (`- { collector: kill, at: 10s }`, `- { broker: restart,
    // at: 3s }`) are the runner's, not the services'; the rest go to the services loader as they
    // are.
    std::optional<Field> service_faults;
    if (faults_field) service_faults = SplitCollectorFaults(*faults_field);
    const Field* faults = service_faults ? &*service_faults : nullptr;
    if (!services) {
      if (faults) Fail(faults->key, "'faults:' needs 'services:' to inject them into");
      if (scale) Fail(scale->key, "'scale:' needs 'services:' to scale");
      scenario.services_source = "none";
      return;
    }
    const YAML::Node& node = services->value;
    if (!node.IsMap()) {
      Fail(*services,
           "want a map for 'services': {preset: NAME}, {file: PATH} or services by name, got " +
               Describe(node) +
               (node.IsScalar()
                    ? " (for a preset write: services: { preset: " + node.Scalar() + " })"
                    : ""));
    }
    bool reference = false;
    for (const auto& entry : node) {
      if (entry.first.IsScalar() &&
          (entry.first.Scalar() == "preset" || entry.first.Scalar() == "file")) {
        reference = true;
      }
    }
    if (!reference) {
      // Inline services: the services loader reads them as a services file's top level, so
      // faults and scale get exactly its validation, at their positions in this file.
      YAML::Node graph_root(YAML::NodeType::Map);
      graph_root["services"] = node;
      if (faults) graph_root["faults"] = faults->value;
      if (scale) graph_root["scale"] = scale->value;
      scenario.services = LoadServiceGraph(graph_root, file_);
      scenario.services_source = "inline";
      return;
    }

    const std::vector<Field> fields =
        Fields(node, Pos(*services), "'services'", "in services (a preset or a file)",
               kServicesReferenceKeys);
    const Field* preset = Find(fields, "preset");
    const Field* file = Find(fields, "file");
    if (preset && file) Fail(file->key, "services has both 'preset' and 'file': give one");
    if (scale) {
      Fail(scale->key,
           "top-level 'scale:' is for inline services; for a preset or file put it inside: "
           "services: { " +
               std::string(preset ? "preset" : "file") +
               ": ..., scale: " + (scale->value.IsScalar() ? scale->value.Scalar() : "0.1") + " }");
    }
    std::string path;
    if (preset) {
      const std::string name = String(*preset);
      path = PresetPath(name, *preset);
      scenario.services_source = "preset " + name;
    } else {
      const std::string relative = String(*file);
      path = ServicesFilePath(relative, *file);
      scenario.services_source = "file " + relative;
    }
    scenario.services = LoadServiceGraphFile(path);
    if (const Field* f = Find(fields, "scale")) {
      scenario.services.scale = Number(*f);
      if (!(scenario.services.scale > 0)) Fail(*f, "'scale' must be > 0, e.g. 0.1");
    }
    if (const Field* f = Find(fields, "external")) {
      if (faults) {
        Fail(faults->key,
             "'faults:' are injected into the services traceproof runs; these run elsewhere "
             "(services.external): put the faults in the services file `traceproof serve` runs");
      }
      ParseExternalServices(*f, scenario);
    }
    if (faults) {
      std::vector<Fault> parsed = ParseFaults(faults->value, file_);
      for (const Fault& fault : parsed) CheckFault(scenario.services, fault);
      for (Fault& fault : parsed) scenario.services.faults.push_back(std::move(fault));
    }
  }

  // Takes the `collector:` and `broker:` entries out of a faults list into collector_faults_
  // and broker_faults_; the other entries, or nullopt when there are none.
  std::optional<Field> SplitCollectorFaults(const Field& faults) {
    if (!faults.value.IsSequence()) return faults;  // the services loader names the mistake
    YAML::Node rest(YAML::NodeType::Sequence);
    for (const auto& item : faults.value) {
      if (item.IsMap() && item["collector"]) {
        ParseCollectorFault(item);
      } else if (item.IsMap() && item["broker"]) {
        ParseBrokerFault(item);
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

  // A fault the runner injects at a time: `{ <kind_key>: KIND, at: DURATION, ... }`, e.g.
  // { collector: kill, at: 10s }. Checks the kind and that `at` is there; returns the fields.
  std::vector<Field> TimedFault(const YAML::Node& node, const SourcePos& pos,
                                const std::string& kind_key, const std::string& example,
                                const std::vector<std::string>& kinds,
                                const std::vector<std::string>& keys, Nanos& at) {
    const std::vector<Field> fields =
        Fields(node, pos, "a " + kind_key + " fault (e.g. { " + kind_key + ": " + example + " })",
               "in a " + kind_key + " fault", keys);
    const Field* kind = Find(fields, kind_key);
    const std::string text = String(*kind);
    if (!Contains(kinds, text)) {
      Fail(*kind, "unknown " + kind_key + " fault '" + text + "'; expected one of: " + Join(kinds) +
                      DidYouMean(text, kinds));
    }
    const Field* at_field = Find(fields, "at");
    if (!at_field) {
      Fail(pos, kind_key + " fault needs 'at' (time after the load starts), e.g. " +
                    example.substr(example.find("at:")));
    }
    at = NonNegativeDuration(*at_field, "'at'");
    return fields;
  }

  void ParseCollectorFault(const YAML::Node& node) {
    CollectorFault fault;
    fault.pos = Pos(node);
    const std::vector<Field> fields =
        TimedFault(node, fault.pos, "collector", "kill, at: 10s", kCollectorFaultKinds,
                   kCollectorFaultKeys, fault.at);
    if (const Field* f = Find(fields, "restart")) fault.restart = Bool(*f);
    if (const Field* f = Find(fields, "restart_after")) {
      if (!fault.restart) Fail(f->key, "'restart_after' needs restart: true");
      fault.restart_after = NonNegativeDuration(*f, "'restart_after'");
    }
    collector_faults_.push_back(fault);
  }

  void ParseBrokerFault(const YAML::Node& node) {
    BrokerFault fault;
    fault.pos = Pos(node);
    TimedFault(node, fault.pos, "broker", "restart, at: 3s", kBrokerFaultKinds, kBrokerFaultKeys,
               fault.at);
    broker_faults_.push_back(fault);
  }

  // ---- places on the network, ${ENV:-default} expanded -----------------------------------

  std::string Expanded(const Field& field) {
    std::string error;
    const std::optional<std::string> value = ExpandEnv(String(field), error);
    if (!value) Fail(field, error);
    return *value;
  }

  // "host:port" after expansion; `example` completes the hint.
  HostPort ParseHostPort(const Field& field, const std::string& example) {
    const std::string raw = String(field);
    const std::string text = Expanded(field);
    return ParseHostPortText(field, text, raw == text ? "" : " (from '" + raw + "')", example);
  }

  // `text` is the expanded value of `field`; `from` says what it was expanded from, if anything.
  HostPort ParseHostPortText(const Field& field, const std::string& text, const std::string& from,
                             const std::string& example) {
    const std::size_t colon = text.rfind(':');
    unsigned value = 0;
    bool ok = colon != std::string::npos && colon > 0 && colon + 1 < text.size();
    if (ok) {
      const auto [end, ec] =
          std::from_chars(text.data() + colon + 1, text.data() + text.size(), value);
      ok = ec == std::errc() && end == text.data() + text.size() && value >= 1 && value <= 65535;
    }
    if (!ok) {
      Fail(field,
           "'" + text + "'" + from + ": want HOST:PORT with a port 1-65535, e.g. " + example);
    }
    HostPort hp;
    hp.host = text.substr(0, colon);
    if (hp.host.size() >= 2 && hp.host.front() == '[' && hp.host.back() == ']')
      hp.host = hp.host.substr(1, hp.host.size() - 2);
    if (hp.host.find_first_of(" /") != std::string::npos)
      Fail(field,
           "'" + text + "'" + from + ": want HOST:PORT (no scheme or path), e.g. " + example);
    hp.port = static_cast<std::uint16_t>(value);
    return hp;
  }

  void ParseExternalServices(const Field& field, Scenario& scenario) {
    ExternalServicesSpec spec;
    spec.pos = Pos(field);
    const std::vector<Field> fields =
        Fields(field.value, Pos(field),
               "'external' (e.g. { endpoints: { gateway: \"127.0.0.1:8080\" }, admin: "
               "\"127.0.0.1:9000\" })",
               "in services.external", kExternalServicesKeys);
    const Field* admin = Find(fields, "admin");
    if (!admin) {
      Fail(field,
           "services.external needs 'admin' (the admin endpoint of `traceproof serve "
           "--admin-port`, for ground truth and exporter counters), e.g. admin: "
           "\"${TRACEPROOF_ADMIN:-127.0.0.1:9000}\"");
    }
    spec.admin = ParseHostPort(*admin, "127.0.0.1:9000");
    const Field* endpoints = Find(fields, "endpoints");
    if (!endpoints) {
      Fail(field,
           "services.external needs 'endpoints' (where each service the load calls listens), "
           "e.g. endpoints: { gateway: \"${TRACEPROOF_GATEWAY:-127.0.0.1:8080}\" }");
    }
    for (const Field& e : Entries(endpoints->value, Pos(*endpoints), "'endpoints'")) {
      const ServiceDef* def =
          &RequireService(scenario.services, e.name, Pos(e.key), "services.external.endpoints:");
      if (!def->external.empty()) {
        Fail(e.key, "service '" + e.name + "' is already external in the services file (at " +
                        def->external +
                        "); endpoints are for the services `traceproof serve` "
                        "runs");
      }
      spec.endpoints[e.name] = ParseHostPort(e, "127.0.0.1:8080");
    }
    if (const Field* f = Find(fields, "ready_timeout")) {
      spec.ready_timeout =
          std::max(std::chrono::milliseconds(1),
                   std::chrono::duration_cast<std::chrono::milliseconds>(PositiveDuration(*f)));
    }
    scenario.external_services = std::move(spec);
  }

  // What services traceproof does not run cannot take: load on a service without an endpoint,
  // a sampler or a broker of the run's.
  void CheckExternalServices(const std::vector<Field>& top, const Scenario& scenario) {
    const ExternalServicesSpec& ext = *scenario.external_services;
    for (const LoadPhase& p : scenario.load) {
      if (p.span_load || ext.endpoints.count(p.service)) continue;
      Fail(p.pos, "the load calls service '" + p.service +
                      "', which has no address in services.external.endpoints: add e.g. " +
                      p.service + ": \"127.0.0.1:8080\"");
    }
    if (const Field* f = Find(top, "sampling")) {
      Fail(f->key,
           "'sampling:' configures the services traceproof runs; these run elsewhere "
           "(services.external): give `traceproof serve` --sampler and --sampler-arg");
    }
    if (const Field* f = Find(top, "broker")) {
      Fail(f->key,
           "'broker:' is for the services traceproof runs; these run elsewhere "
           "(services.external): give `traceproof serve` --broker URL");
    }
  }

  // `collector: { endpoint: HOST:PORT, metrics: http://HOST:PORT/metrics }`: one that runs.
  void ParseExternalCollector(const Field& field, const std::vector<Field>& fields,
                              CollectorSpec& spec) {
    const Field* endpoint = Find(fields, "endpoint");
    for (const char* key : {"config", "binary"}) {
      if (const Field* f = Find(fields, key)) {
        Fail(f->key, std::string("'") + key +
                         "' is for a Collector traceproof starts; 'endpoint' names one that "
                         "runs already: give one or the other");
      }
    }
    spec.external = true;
    spec.endpoint = ParseHostPort(*endpoint, "otel-collector:4317");
    const Field* metrics = Find(fields, "metrics");
    if (!metrics) {
      Fail(field,
           "an external Collector needs 'metrics' (its Prometheus endpoint, so the run can "
           "reconcile what it received and passed on), e.g. metrics: "
           "\"http://${TRACEPROOF_COLLECTOR_HOST:-127.0.0.1}:8888/metrics\"");
    }
    const std::string raw = String(*metrics);
    const std::string url = Expanded(*metrics);
    const std::string scheme = "http://";
    if (url.rfind(scheme, 0) != 0) {
      Fail(*metrics, "'" + url + "'" + (url == raw ? "" : " (from '" + raw + "')") +
                         ": want an http:// URL, e.g. http://otel-collector:8888/metrics");
    }
    const std::size_t slash = url.find('/', scheme.size());
    spec.metrics = ParseHostPortText(*metrics, url.substr(scheme.size(), slash - scheme.size()),
                                     url == raw ? "" : " (from '" + raw + "')",
                                     "http://otel-collector:8888/metrics");
    spec.metrics_path = slash == std::string::npos ? "/metrics" : url.substr(slash);
  }

  void ParseCollector(const Field& field, Scenario& scenario) {
    CollectorSpec spec;
    spec.pos = Pos(field);
    const std::vector<Field> fields =
        Fields(field.value, Pos(field),
               "'collector' (e.g. { config: ../compose/collector/otel-collector-config.yaml })",
               "in collector", kCollectorKeys);
    if (Find(fields, "endpoint")) {
      ParseExternalCollector(field, fields, spec);
      if (const Field* f = Find(fields, "ready_timeout")) {
        spec.ready_timeout =
            std::max(std::chrono::milliseconds(1),
                     std::chrono::duration_cast<std::chrono::milliseconds>(PositiveDuration(*f)));
      }
      scenario.collector = std::move(spec);
      return;
    }
    if (const Field* f = Find(fields, "metrics"))
      Fail(f->key, "'metrics' is for an external Collector: give 'endpoint' too");
    const Field* config = Find(fields, "config");
    if (!config) {
      Fail(field,
           "'collector' needs 'config' (the Collector's YAML config, relative to the scenario "
           "file), e.g. config: ../compose/collector/otel-collector-config.yaml");
    }
    const std::string relative = String(*config);
    fs::path path(relative);
    if (path.is_relative()) path = fs::path(file_).parent_path() / path;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      Fail(*config, "Collector config '" + relative + "' not found (looked for " + path.string() +
                        "; a relative path is relative to the scenario file)");
    }
    spec.config = path.string();
    if (const Field* f = Find(fields, "binary")) {
      const std::string binary = String(*f);
      if (binary.empty()) Fail(*f, "'binary' is empty: give a path to an otelcol binary");
      fs::path b(binary);
      // A bare name is looked up when the Collector starts (PATH); a path is relative to the
      // scenario file, like 'config'.
      if (b.is_relative() && binary.find('/') != std::string::npos)
        b = fs::path(file_).parent_path() / b;
      spec.binary = b.string();
    }
    if (const Field* f = Find(fields, "ready_timeout")) {
      const Nanos t = PositiveDuration(*f);
      spec.ready_timeout = std::max(std::chrono::milliseconds(1),
                                    std::chrono::duration_cast<std::chrono::milliseconds>(t));
    }
    scenario.collector = std::move(spec);
  }

  std::string PresetPath(const std::string& name, const Field& field) {
    if (name.find('/') == std::string::npos && !name.empty()) {
      for (const fs::path& dir : PresetDirs()) {
        const fs::path candidate = dir / (name + ".yaml");
        std::error_code ec;
        if (fs::is_regular_file(candidate, ec)) return candidate.string();
      }
    }
    const std::vector<std::string> names = PresetNames();
    Fail(field, "unknown preset '" + name + "'; presets are: " +
                    (names.empty() ? "(none found)" : Join(names)) + DidYouMean(name, names) +
                    " (for your own services file write: services: { file: PATH })");
  }

  // A services file is relative to the scenario file, so a scenario and its services can move
  // together.
  std::string ServicesFilePath(const std::string& relative, const Field& field) {
    fs::path path(relative);
    if (path.is_relative()) path = fs::path(file_).parent_path() / path;
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      Fail(field, "services file '" + relative + "' is a directory (" + path.string() + ")");
    }
    if (!fs::exists(path, ec)) {
      Fail(field, "services file '" + relative + "' not found (looked for " + path.string() +
                      "; a relative path is relative to the scenario file)");
    }
    return path.string();
  }

  const ServiceDef& RequireService(const ServiceGraph& graph, const std::string& name,
                                   const SourcePos& pos, const std::string& what) const {
    if (const ServiceDef* s = graph.Find(name)) return *s;
    std::vector<std::string> names;
    for (const auto& s : graph.services) names.push_back(s.name);
    Fail(pos, what + " unknown service '" + name + "'; services are: " + Join(Sorted(names)) +
                  DidYouMean(name, names));
  }

  static std::vector<std::string> RouteKeys(const ServiceDef& service) {
    std::vector<std::string> keys;
    for (const auto& r : service.routes) keys.push_back(r.method + " " + r.path);
    return keys;
  }

  void RequireRoute(const ServiceDef& service, const std::string& method, const std::string& path,
                    const SourcePos& pos) const {
    for (const auto& r : service.routes)
      if (r.method == method && r.path == path) return;
    const std::vector<std::string> keys = RouteKeys(service);
    const std::string key = method + " " + path;
    std::string hint = DidYouMean(key, keys);
    // The path is right and the method is not (GET for POST, or lowercase): name that route.
    for (const auto& r : service.routes) {
      if (hint.empty() && r.path == path) hint = " (did you mean '" + r.method + " " + path + "'?)";
    }
    Fail(pos, "service '" + service.name + "' has no route '" + key + "'; its routes are: " +
                  (keys.empty() ? "(none: it only consumes queues)" : Join(keys)) + hint);
  }

  // The services loader checks the faults of a whole graph it reads; faults added to a preset
  // or file get the same checks here.
  void CheckFault(const ServiceGraph& graph, const Fault& fault) const {
    const ServiceDef& service = RequireService(graph, fault.service, fault.pos, "fault names");
    if (!service.external.empty()) {
      Fail(fault.pos, "service '" + service.name +
                          "' is external: traceproof cannot inject faults into it; put the fault "
                          "on the service that calls it");
    }
    if (!fault.route.empty()) {
      const std::vector<std::string> words = SplitWords(fault.route);
      RequireRoute(service, words[0], words[1], fault.pos);
    }
    if (!fault.to.empty()) RequireService(graph, fault.to, fault.pos, "fault 'to' names");
  }

  // ---- load ---------------------------------------------------------------------------------

  void ParseLoad(const YAML::Node& root, const Field& load, Scenario& scenario) {
    if (!load.value.IsSequence()) {
      Fail(load, "want a list of phases for 'load', got " + Describe(load.value) +
                     " (each phase starts with '-')");
    }
    if (load.value.size() == 0) {
      Fail(load,
           "'load' has no phases: want at least one, e.g. - { route: \"gateway POST "
           "/checkout\", rate: 200/s, duration: 20s }");
    }
    // A request phase without a route repeats the route of the last request phase before it.
    std::optional<LoadPhase> last_request;
    std::size_t index = 0;
    for (const auto& item : load.value) {
      LoadPhase phase = ParsePhase(root, item, ++index, last_request, scenario);
      if (!phase.span_load) last_request = phase;
      scenario.load.push_back(std::move(phase));
    }
  }

  LoadPhase ParsePhase(const YAML::Node& root, const YAML::Node& node, std::size_t index,
                       const std::optional<LoadPhase>& last_request, const Scenario& scenario) {
    LoadPhase phase;
    phase.pos = Pos(node);
    const std::string label = "load phase " + std::to_string(index);
    const std::vector<Field> fields = Fields(node, phase.pos, label, "in " + label, kPhaseKeys);

    std::string arrival = "constant";
    const Field* arrival_field = Find(fields, "arrival");
    if (arrival_field) {
      arrival = String(*arrival_field);
      if (!Contains(kArrivals, arrival)) {
        Fail(*arrival_field, "unknown arrival '" + arrival + "'; expected one of: " +
                                 Join(kArrivals) + DidYouMean(arrival, kArrivals));
      }
    }
    const Field* rate = Find(fields, "rate");
    const Field* from = Find(fields, "from");
    const Field* to = Find(fields, "to");
    if (arrival == "ramping") {
      phase.arrival = LoadPhase::Arrival::kRamping;
      if (rate) {
        Fail(rate->key,
             "a ramping phase goes 'from' -> 'to'; 'rate' is for constant and poisson phases");
      }
      if (!from || !to) {
        Fail(*arrival_field, std::string("arrival: ramping needs '") + (from ? "to" : "from") +
                                 "', e.g. { arrival: ramping, from: 200/s, to: 2000/s, "
                                 "duration: 30s }");
      }
      phase.from_per_s = PerSecond(*from, /*allow_zero=*/true);
      phase.to_per_s = PerSecond(*to, /*allow_zero=*/false);
    } else {
      phase.arrival =
          arrival == "poisson" ? LoadPhase::Arrival::kPoisson : LoadPhase::Arrival::kConstant;
      if (from || to) {
        const Field& extra = from ? *from : *to;
        Fail(extra.key, "'" + extra.name + "' is for arrival: ramping; a " + arrival +
                            " phase has one 'rate'" +
                            (arrival_field ? "" : " (arrival defaults to constant)"));
      }
      if (!rate) Fail(phase.pos, label + " (" + arrival + ") needs 'rate', e.g. rate: 200/s");
      phase.rate_per_s = PerSecond(*rate, /*allow_zero=*/false);
    }

    const Field* duration = Find(fields, "duration");
    if (!duration) Fail(phase.pos, label + " needs 'duration', e.g. duration: 20s");
    phase.duration = PositiveDuration(*duration);
    if (const Field* f = Find(fields, "connections")) {
      phase.connections = static_cast<int>(Int(*f, 1, 100000));
    }
    if (const Field* f = Find(fields, "timeout")) {
      const Nanos timeout = PositiveDuration(*f);
      if (timeout < std::chrono::milliseconds(1)) {
        Fail(*f, "'timeout' is " + f->value.Scalar() + ": want at least 1ms");
      }
      phase.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
    }

    const Field* route = Find(fields, "route");
    const Field* spans = Find(fields, "spans");
    if (spans) {
      if (route) {
        Fail(route->key,
             "a phase sends either requests ('route') or spans ('spans') to the sink, not both");
      }
      ParseSpans(*spans, phase);
    } else if (route) {
      if (scenario.services_source == "none") {
        Fail(root, "missing 'services:' (" + label + " sends requests to '" +
                       (route->value.IsScalar() ? route->value.Scalar() : "?") +
                       "'), e.g. services: { preset: seed-checkout }");
      }
      ParseRoute(*route, scenario.services, phase);
    } else if (last_request) {
      phase.service = last_request->service;
      phase.method = last_request->method;
      phase.path = last_request->path;
    } else {
      Fail(phase.pos, label +
                          " is the first request phase and has no 'route' (\"SERVICE METHOD "
                          "/path\"): add e.g. route: \"" +
                          ExampleRoute(scenario.services) +
                          "\", or 'spans:' for span load straight at the sink");
    }
    return phase;
  }

  // "gateway POST /checkout": the first route of the graph, for hints.
  static std::string ExampleRoute(const ServiceGraph& graph) {
    for (const auto& s : graph.services) {
      if (s.external.empty() && !s.routes.empty()) {
        return s.name + " " + s.routes[0].method + " " + s.routes[0].path;
      }
    }
    return "gateway POST /checkout";
  }

  void ParseRoute(const Field& field, const ServiceGraph& graph, LoadPhase& phase) {
    const std::string text = String(field);
    const std::vector<std::string> words = SplitWords(text);
    if (words.size() != 3 || !words[2].starts_with('/')) {
      Fail(field, "bad route '" + text + "': want " + kRouteExample);
    }
    const ServiceDef& service = RequireService(graph, words[0], Pos(field), "route names");
    if (!service.external.empty()) {
      Fail(field, "service '" + service.name + "' is external (at " + service.external +
                      "; traceproof does not run it): route load to a service traceproof runs");
    }
    RequireRoute(service, words[1], words[2], Pos(field));
    phase.service = words[0];
    phase.method = words[1];
    phase.path = words[2];
  }

  void ParseSpans(const Field& field, LoadPhase& phase) {
    const std::vector<Field> fields =
        Fields(field.value, Pos(field), "'spans' (e.g. { per_request: 100, per_trace: 5 })",
               "in spans", kSpansKeys);
    const Field* per_request = Find(fields, "per_request");
    if (!per_request) {
      Fail(field,
           "'spans' needs 'per_request' (spans in each OTLP export request), e.g. "
           "spans: { per_request: 100, per_trace: 5 }");
    }
    phase.span_load = true;
    phase.spans_per_request = static_cast<int>(Int(*per_request, 1, 100000));
    if (const Field* f = Find(fields, "per_trace")) {
      phase.spans_per_trace = static_cast<int>(Int(*f, 1, 10000));
    }
  }

  double PerSecond(const Field& field, bool allow_zero) {
    if (!field.value.IsScalar()) {
      Fail(field,
           "want a rate for '" + field.name + "', got " + Describe(field.value) + ": " + kRateHint);
    }
    const std::string text = field.value.Scalar();
    const std::optional<double> rate = ParseRatePerSecond(text);
    if (!rate) {
      const bool bare = !text.empty() && text.find('/') == std::string::npos &&
                        ParseRatePerSecond(text + "/s").has_value();
      Fail(field, "bad rate '" + text + "' for '" + field.name + "': " + kRateHint +
                      (bare ? " (a rate needs its unit: '" + text + "/s')" : ""));
    }
    if (allow_zero ? *rate < 0 : *rate <= 0) {
      Fail(field, "'" + field.name + "' is " + text + ": want a rate " +
                      (allow_zero ? ">= 0" : "> 0") + ", e.g. 200/s");
    }
    if (*rate > kMaxRatePerS)
      Fail(field, "'" + field.name + "' is " + text + ": want at most 10M/s");
    return *rate;
  }

  Nanos PositiveDuration(const Field& field) {
    const Nanos value = Duration(field);
    if (value <= Nanos(0)) {
      Fail(field, "'" + field.name + "' is " + field.value.Scalar() + ": want a duration > 0");
    }
    return value;
  }

  // ---- drain, sampling, checks, expect ------------------------------------------------------

  void ParseDrain(const Field& field, Scenario& scenario) {
    const std::vector<Field> fields =
        Fields(field.value, Pos(field), "'drain' (e.g. { quiet: 500ms, max: 15s })", "in drain",
               kDrainKeys);
    if (const Field* f = Find(fields, "quiet")) scenario.drain_quiet = PositiveDuration(*f);
    if (const Field* f = Find(fields, "max")) scenario.drain_max = PositiveDuration(*f);
    if (scenario.drain_max < scenario.drain_quiet) {
      const Field* f = Find(fields, "max");
      Fail(f ? *f : field, "drain 'max' is shorter than 'quiet': want max >= quiet (" +
                               std::to_string(scenario.drain_quiet.count() / 1000000) + "ms)");
    }
  }

  void ParseSampling(const Field& field, Scenario& scenario) {
    HeadSamplingSpec& sampling = scenario.sampling;
    sampling.pos = Pos(field);
    const std::vector<Field> fields =
        Fields(field.value, Pos(field), "'sampling'", "in sampling", kSamplingKeys);
    if (const Field* head = Find(fields, "head")) {
      ParseSampler(*head, "the head sampler", sampling.sampler, sampling.arg, &sampling.ratio);
    }
    if (const Field* overrides = Find(fields, "overrides")) {
      for (const Field& entry :
           Entries(overrides->value, Pos(*overrides), "service name -> sampler")) {
        const ServiceDef& service =
            RequireService(scenario.services, entry.name, Pos(entry.key), "sampling override for");
        if (!service.external.empty()) {
          Fail(entry.key, "service '" + entry.name +
                              "' is external: its sampler is its own, not traceproof's");
        }
        HeadSamplingSpec::Override override;
        override.service = entry.name;
        override.pos = Pos(entry.key);
        ParseSampler(entry, "the sampler of '" + entry.name + "'", override.sampler, override.arg,
                     nullptr);
        sampling.overrides.push_back(std::move(override));
      }
    }
  }

  // { sampler: NAME, ratio: R }: the OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG pair.
  void ParseSampler(const Field& field, const std::string& what, std::string& sampler,
                    std::string& arg, std::optional<double>* ratio_out) {
    const std::vector<Field> fields =
        Fields(field.value, Pos(field), what + " (e.g. { sampler: traceidratio, ratio: 0.25 })",
               "in " + what, kSamplerKeys);
    const Field* name = Find(fields, "sampler");
    if (!name) Fail(field, what + " needs 'sampler', one of: " + Join(kSamplers));
    sampler = String(*name);
    if (!Contains(kSamplers, sampler)) {
      Fail(*name, "unknown sampler '" + sampler + "'; expected one of: " + Join(kSamplers) +
                      DidYouMean(sampler, kSamplers));
    }
    const bool wants_ratio = sampler.ends_with("traceidratio");
    const Field* ratio = Find(fields, "ratio");
    if (wants_ratio && !ratio) {
      Fail(*name, "sampler '" + sampler +
                      "' needs 'ratio' (the share of traces sampled, 0..1), e.g. ratio: 0.25");
    }
    if (!wants_ratio && ratio) {
      Fail(ratio->key,
           "'ratio' applies only to traceidratio and parentbased_traceidratio, not to '" + sampler +
               "'");
    }
    arg.clear();
    if (ratio) {
      const double value = Number(*ratio);
      if (!(value >= 0 && value <= 1)) {
        Fail(*ratio, "'ratio' is " + ratio->value.Scalar() +
                         ": want a share of traces in [0, 1], e.g. 0.25 for 25%");
      }
      arg = ratio->value.Scalar();
      if (ratio_out) *ratio_out = value;
    }
  }

  void ParseChecks(const Field& field, Scenario& scenario) {
    if (field.value.IsNull()) return;  // every check commented out
    if (!field.value.IsSequence()) {
      Fail(field, "want a list of checks for 'checks', got " + Describe(field.value) +
                      ", e.g. - propagation: { broken_traces: \"== 0\" }");
    }
    for (const auto& entry : field.value) {
      if (!entry.IsMap() || entry.size() == 0) {
        Fail(entry, "want a check (a map with one key, the check kind), got " + Describe(entry) +
                        ", e.g. - propagation: { broken_traces: \"== 0\" }");
      }
      if (entry.size() > 1) {
        auto it = entry.begin();
        const std::string first = it->first.Scalar();
        ++it;
        Fail(it->first, "check entry has two keys, '" + first + "' and '" + it->first.Scalar() +
                            "': one check per entry; start each check with its own '-' (or "
                            "indent its options under the kind)");
      }
      scenario.checks.push_back(ParseCheckSpec(entry, file_));
    }
  }

  // `broker: rabbitmq` or `broker: { amqp: "amqp://127.0.0.1:5672" }`.
  void ParseBroker(const Field& field, Scenario& scenario) {
    BrokerSpec broker;
    broker.pos = Pos(field);
    const char* kForms =
        "want 'rabbitmq' (traceproof starts a broker for the run) or { amqp: URL } (a running "
        "one), e.g. broker: { amqp: \"amqp://127.0.0.1:5672\" }";
    if (field.value.IsScalar()) {
      const std::string text = field.value.Scalar();
      if (text != "rabbitmq") {
        Fail(field, "unknown broker '" + text + "': " + kForms +
                        DidYouMean(text, std::vector<std::string>{"rabbitmq"}));
      }
      broker.start_rabbitmq = true;
    } else {
      const std::vector<Field> fields =
          Fields(field.value, Pos(field), "'broker'", "in broker", kBrokerKeys);
      const Field* amqp = Find(fields, "amqp");
      if (!amqp) Fail(field, std::string("'broker' needs 'amqp': ") + kForms);
      broker.amqp_url = String(*amqp);
      std::string error;
      if (!ParseAmqpUrl(broker.amqp_url, error)) {
        Fail(*amqp, "bad AMQP URL '" + broker.amqp_url + "': " + error);
      }
    }
    bool queues = false;
    std::function<void(const std::vector<Step>&)> walk = [&](const std::vector<Step>& steps) {
      for (const Step& step : steps) {
        queues |= step.kind == Step::Kind::kPublish;
        walk(step.steps);
      }
    };
    for (const ServiceDef& service : scenario.services.services) {
      queues |= !service.consumers.empty();
      for (const Route& route : service.routes) walk(route.steps);
    }
    if (!queues) {
      Fail(field.key,
           "'broker:' carries the services' queues, but no service publishes or "
           "consumes (add a 'publish:' step and a consumer, or use "
           "services: { preset: checkout-queue })");
    }
    scenario.broker = std::move(broker);
  }

  void ParseExpect(const Field& field, Scenario& scenario) {
    Expectation& expect = scenario.expect;
    expect.pos = Pos(field);
    const std::vector<Field> fields =
        Fields(field.value, Pos(field), "'expect' (e.g. { verdict: fail, failing: [propagation] })",
               "in expect", kExpectKeys);
    const Field* verdict = Find(fields, "verdict");
    if (verdict) {
      const std::string text = String(*verdict);
      if (!Contains(kVerdicts, text)) {
        Fail(*verdict,
             "unknown verdict '" + text + "'; expected pass or fail" + DidYouMean(text, kVerdicts));
      }
      expect.pass = text == "pass";
    }
    std::vector<std::string> kinds;
    for (const CheckSpec& check : scenario.checks)
      if (!Contains(kinds, check.kind)) kinds.push_back(check.kind);
    if (!expect.pass && kinds.empty()) {
      Fail(*verdict, "verdict: fail, but the scenario has no 'checks:' that could fail");
    }
    if (const Field* failing = Find(fields, "failing")) {
      if (expect.pass) {
        Fail(failing->key, "'failing' names checks that must fail: add verdict: fail");
      }
      if (!failing->value.IsSequence()) {
        Fail(*failing, "want a list of check kinds for 'failing', got " + Describe(failing->value) +
                           ", e.g. failing: [propagation]");
      }
      for (const auto& item : failing->value) {
        if (!item.IsScalar()) Fail(item, "want a check kind, got " + Describe(item));
        const std::string kind = item.Scalar();
        if (!Contains(kinds, kind)) {
          Fail(item, "expect failing '" + kind + "', but the scenario has no '" + kind +
                         "' check; its checks are: " + Join(kinds) + DidYouMean(kind, kinds));
        }
        expect.failing_kinds.push_back(kind);
      }
    }
  }

  std::vector<CollectorFault> collector_faults_;  // found among the faults, until 'collector:'
  std::vector<BrokerFault> broker_faults_;        // found among the faults, until 'broker:'
};

}  // namespace

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

Scenario LoadScenario(const YAML::Node& root, const std::string& file) {
  return ScenarioParser(file).Parse(root);
}

Scenario LoadScenarioFile(const std::string& path) {
  return LoadScenario(LoadYamlFile(path), path);
}

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
  };
  return sets;
}
const std::vector<std::string>& ScenarioTopLevelKeys() { return kTopLevelKeys; }
const std::vector<std::string>& ArrivalNames() { return kArrivals; }
const std::vector<std::string>& SamplerNames() { return kSamplers; }

}  // namespace traceproof
