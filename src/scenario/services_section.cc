#include "scenario/services_section.h"

#include <filesystem>
#include <optional>
#include <string>

#include "graph/load_graph.h"
#include "scenario/external_services_section.h"
#include "scenario/presets.h"
#include "scenario/scenario_keys.h"

namespace traceproof::loader {

namespace {

namespace fs = std::filesystem;

// A services file is relative to the scenario file, so a scenario and its services can move
// together.
std::string ServicesFilePath(ScenarioReader& r, const std::string& relative, const Field& field) {
  fs::path path(relative);
  if (path.is_relative()) path = fs::path(r.file()).parent_path() / path;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    r.Fail(field, "services file '" + relative + "' is a directory (" + path.string() + ")");
  }
  if (!fs::exists(path, ec)) {
    r.Fail(field, "services file '" + relative + "' not found (looked for " + path.string() +
                      "; a relative path is relative to the scenario file)");
  }
  return path.string();
}

// The services loader checks the faults of a whole graph it reads; faults added to a preset
// or file get the same checks here.
void CheckFault(ScenarioReader& r, const ServiceGraph& graph, const Fault& fault) {
  const ServiceDef& service = r.RequireService(graph, fault.service, fault.pos, "fault names");
  if (!service.external.empty() || service.app) {
    r.Fail(fault.pos, "service '" + service.name + "' is " + (service.app ? "an app" : "external") +
                          ": traceproof cannot inject faults into it; put the fault "
                          "on the service that calls it");
  }
  if (!fault.route.empty()) {
    const std::vector<std::string> words = SplitWords(fault.route);
    r.RequireRoute(service, words[0], words[1], fault.pos);
  }
  if (!fault.to.empty()) r.RequireService(graph, fault.to, fault.pos, "fault 'to' names");
}

// Inline services: the services loader reads them as a services file's top level, so faults and
// scale get exactly its validation, at their positions in this file.
void LoadInlineServices(ScenarioReader& r, const YAML::Node& node, const Field* faults,
                        const Field* scale, Scenario& scenario) {
  YAML::Node graph_root(YAML::NodeType::Map);
  graph_root["services"] = node;
  if (faults) graph_root["faults"] = faults->value;
  if (scale) graph_root["scale"] = scale->value;
  scenario.services = LoadServiceGraph(graph_root, r.file());
  scenario.services_source = "inline";
}

// `services: { preset: NAME | file: PATH, scale: S, external: {...} }`.
void LoadReferencedServices(ScenarioReader& r, const Field& services, const Field* faults,
                            const Field* scale, Scenario& scenario) {
  const YAML::Node& node = services.value;
  const std::vector<Field> fields =
      r.Fields(node, r.Pos(services), "'services'", "in services (a preset or a file)",
               kServicesReferenceKeys);
  const Field* preset = r.Find(fields, "preset");
  const Field* file = r.Find(fields, "file");
  if (preset && file) r.Fail(file->key, "services has both 'preset' and 'file': give one");
  if (scale) {
    r.Fail(scale->key,
           "top-level 'scale:' is for inline services; for a preset or file put it inside: "
           "services: { " +
               std::string(preset ? "preset" : "file") +
               ": ..., scale: " + (scale->value.IsScalar() ? scale->value.Scalar() : "0.1") + " }");
  }
  std::string path;
  if (preset) {
    const std::string name = r.String(*preset);
    path = PresetPath(r, name, *preset);
    scenario.services_source = "preset " + name;
  } else {
    const std::string relative = r.String(*file);
    path = ServicesFilePath(r, relative, *file);
    scenario.services_source = "file " + relative;
  }
  scenario.services = LoadServiceGraphFile(path);
  if (const Field* f = r.Find(fields, "scale")) {
    scenario.services.scale = r.Number(*f);
    if (!(scenario.services.scale > 0)) r.Fail(*f, "'scale' must be > 0, e.g. 0.1");
  }
  if (const Field* f = r.Find(fields, "external")) {
    if (faults) {
      r.Fail(faults->key,
             "'faults:' are injected into the services traceproof runs; these run elsewhere "
             "(services.external): put the faults in the services file `traceproof serve` runs");
    }
    ParseExternalServices(r, *f, scenario);
  }
  if (faults) {
    std::vector<Fault> parsed = ParseFaults(faults->value, r.file());
    for (const Fault& fault : parsed) CheckFault(r, scenario.services, fault);
    for (Fault& fault : parsed) scenario.services.faults.push_back(std::move(fault));
  }
}

}  // namespace

void ParseServices(ScenarioReader& r, const std::vector<Field>& top, RunnerFaults& runner,
                   Scenario& scenario) {
  const Field* services = r.Find(top, "services");
  const Field* scale = r.Find(top, "scale");
  const Field* faults_field = r.Find(top, "faults");
  // Collector and broker faults (`- { collector: kill, at: 10s }`, `- { broker: restart,
  // at: 3s }`) are the runner's, not the services'; the rest go to the services loader as they
  // are.
  std::optional<Field> service_faults;
  if (faults_field) service_faults = SplitRunnerFaults(r, *faults_field, runner);
  const Field* faults = service_faults ? &*service_faults : nullptr;
  if (!services) {
    if (faults) r.Fail(faults->key, "'faults:' needs 'services:' to inject them into");
    if (scale) r.Fail(scale->key, "'scale:' needs 'services:' to scale");
    scenario.services_source = "none";
    return;
  }
  const YAML::Node& node = services->value;
  if (!node.IsMap()) {
    r.Fail(
        *services,
        "want a map for 'services': {preset: NAME}, {file: PATH} or services by name, got " +
            Describe(node) +
            (node.IsScalar() ? " (for a preset write: services: { preset: " + node.Scalar() + " })"
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
    LoadInlineServices(r, node, faults, scale, scenario);
  } else {
    LoadReferencedServices(r, *services, faults, scale, scenario);
  }
}

}  // namespace traceproof::loader
