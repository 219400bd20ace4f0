#include "checks/make_check.h"

#include "config/yaml_reader.h"

namespace traceproof {

std::unique_ptr<Check> MakeCheck(const YAML::Node& entry, const std::string& file) {
  static const std::vector<std::string> kKinds = {"structure", "propagation", "sampling",
                                                  "latency",   "throughput",  "hygiene"};
  YamlReader reader(file);
  const std::vector<Field> fields =
      reader.Fields(entry, "a check (one key, the check kind)", "in the checks list", kKinds);
  if (fields.size() != 1) {
    reader.Fail(entry, "a check has exactly one key, its kind (one of: " + Join(Sorted(kKinds)) +
                           "); got " + std::to_string(fields.size()) +
                           " keys: write each check as its own list entry");
  }
  const Field& f = fields.front();
  if (f.name == "structure") return MakeStructureCheck(f.value, file);
  if (f.name == "propagation") return MakePropagationCheck(f.value, file);
  if (f.name == "sampling") return MakeSamplingCheck(f.value, file);
  if (f.name == "latency") return MakeLatencyCheck(f.value, file);
  if (f.name == "throughput") return MakeThroughputCheck(f.value, file);
  return MakeHygieneCheck(f.value, file);
}

}  // namespace traceproof
