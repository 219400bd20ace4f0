#include "scenario/collector_section.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>

#include "scenario/scenario_keys.h"

namespace traceproof::loader {

namespace {

namespace fs = std::filesystem;

// `collector: { endpoint: HOST:PORT, metrics: http://HOST:PORT/metrics }`: one that runs.
void ParseExternalCollector(ScenarioReader& r, const Field& field, const std::vector<Field>& fields,
                            CollectorSpec& spec) {
  const Field* endpoint = r.Find(fields, "endpoint");
  for (const char* key : {"config", "binary"}) {
    if (const Field* f = r.Find(fields, key)) {
      r.Fail(f->key, std::string("'") + key +
                         "' is for a Collector traceproof starts; 'endpoint' names one that "
                         "runs already: give one or the other");
    }
  }
  spec.external = true;
  spec.endpoint = r.ParseHostPort(*endpoint, "otel-collector:4317");
  const Field* metrics = r.Find(fields, "metrics");
  if (!metrics) {
    r.Fail(field,
           "an external Collector needs 'metrics' (its Prometheus endpoint, so the run can "
           "reconcile what it received and passed on), e.g. metrics: "
           "\"http://${TRACEPROOF_COLLECTOR_HOST:-127.0.0.1}:8888/metrics\"");
  }
  const std::string raw = r.String(*metrics);
  const std::string url = r.Expanded(*metrics);
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    r.Fail(*metrics, "'" + url + "'" + (url == raw ? "" : " (from '" + raw + "')") +
                         ": want an http:// URL, e.g. http://otel-collector:8888/metrics");
  }
  const std::size_t slash = url.find('/', scheme.size());
  spec.metrics = r.ParseHostPortText(*metrics, url.substr(scheme.size(), slash - scheme.size()),
                                     url == raw ? "" : " (from '" + raw + "')",
                                     "http://otel-collector:8888/metrics");
  spec.metrics_path = slash == std::string::npos ? "/metrics" : url.substr(slash);
}

}  // namespace

void ParseCollector(ScenarioReader& r, const Field& field, Scenario& scenario) {
  CollectorSpec spec;
  spec.pos = r.Pos(field);
  const std::vector<Field> fields =
      r.Fields(field.value, r.Pos(field),
               "'collector' (e.g. { config: ../compose/collector/otel-collector-config.yaml })",
               "in collector", kCollectorKeys);
  if (r.Find(fields, "endpoint")) {
    ParseExternalCollector(r, field, fields, spec);
    if (const Field* f = r.Find(fields, "ready_timeout")) spec.ready_timeout = r.ReadyTimeout(*f);
    scenario.collector = std::move(spec);
    return;
  }
  if (const Field* f = r.Find(fields, "metrics"))
    r.Fail(f->key, "'metrics' is for an external Collector: give 'endpoint' too");
  const Field* config = r.Find(fields, "config");
  if (!config) {
    r.Fail(field,
           "'collector' needs 'config' (the Collector's YAML config, relative to the scenario "
           "file), e.g. config: ../compose/collector/otel-collector-config.yaml");
  }
  const std::string relative = r.String(*config);
  fs::path path(relative);
  if (path.is_relative()) path = fs::path(r.file()).parent_path() / path;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    r.Fail(*config, "Collector config '" + relative + "' not found (looked for " + path.string() +
                        "; a relative path is relative to the scenario file)");
  }
  spec.config = path.string();
  if (const Field* f = r.Find(fields, "binary")) {
    const std::string binary = r.String(*f);
    if (binary.empty()) r.Fail(*f, "'binary' is empty: give a path to an otelcol binary");
    fs::path b(binary);
    // A bare name is looked up when the Collector starts (PATH); a path is relative to the
    // scenario file, like 'config'.
    if (b.is_relative() && binary.find('/') != std::string::npos)
      b = fs::path(r.file()).parent_path() / b;
    spec.binary = b.string();
  }
  if (const Field* f = r.Find(fields, "ready_timeout")) spec.ready_timeout = r.ReadyTimeout(*f);
  scenario.collector = std::move(spec);
}

void AttachCollectorFaults(ScenarioReader& r, std::vector<CollectorFault> faults,
                           Scenario& scenario) {
  if (faults.empty()) return;
  if (!scenario.collector) {
    r.Fail(faults.front().pos,
           "a 'collector:' fault needs a Collector: add 'collector: { config: PATH }'");
  }
  if (scenario.collector->external) {
    r.Fail(faults.front().pos,
           "a 'collector:' fault needs the Collector traceproof starts ('collector: { config: "
           "PATH }'); it cannot kill one it does not own (" +
               scenario.collector->endpoint.Text() + ")");
  }
  scenario.collector->faults = std::move(faults);
}

}  // namespace traceproof::loader
