// Fuzzes the services YAML loader (a service graph: the user's own file, or a scenario's
// `services:` section). Whatever the bytes, it must give a graph or a LoadError that names
// where (fuzz.yaml:LINE:COL, line and column 1-based); any other exception escaping it (a
// yaml-cpp conversion error without a position, std::out_of_range, ...) is a finding.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "config/source_pos.h"
#include "graph/load_graph.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception&) {
    return 0;  // not YAML: LoadYamlFile turns this into a positioned error of its own
  }
  try {
    traceproof::LoadServiceGraph(root, "fuzz.yaml");
  } catch (const traceproof::LoadError& e) {
    if (e.pos().file != "fuzz.yaml" || e.pos().line < 1 || e.pos().column < 1) __builtin_trap();
  }
  return 0;
}
