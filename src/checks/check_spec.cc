#include "checks/check_spec.h"

#include "config/yaml_reader.h"

namespace traceproof {

namespace {

CheckOptions ParseOptions(const std::string& kind, const YAML::Node& options,
                          const std::string& file) {
  if (kind == "structure") return ParseStructureSpec(options, file);
  if (kind == "propagation") return ParsePropagationSpec(options, file);
  if (kind == "sampling") return ParseSamplingSpec(options, file);
  if (kind == "latency") return ParseLatencySpec(options, file);
  if (kind == "throughput") return ParseThroughputSpec(options, file);
  if (kind == "sinks") return ParseSinksSpec(options, file);
  return ParseHygieneSpec(options, file);
}

}  // namespace

const std::vector<std::string>& CheckKinds() {
  static const std::vector<std::string> kinds = {"structure",  "propagation", "sampling", "latency",
                                                 "throughput", "hygiene",     "sinks"};
  return kinds;
}

CheckSpec ParseCheckSpec(const YAML::Node& entry, const std::string& file) {
  YamlReader reader(file);
  const std::vector<Field> fields =
      reader.Fields(entry, "a check (one key, the check kind)", "in the checks list", CheckKinds());
  if (fields.size() != 1) {
    reader.Fail(entry, "a check has exactly one key, its kind (one of: " +
                           Join(Sorted(CheckKinds())) + "); got " + std::to_string(fields.size()) +
                           " keys: write each check as its own list entry");
  }
  const Field& f = fields.front();
  return CheckSpec{
      .kind = f.name, .options = ParseOptions(f.name, f.value, file), .pos = reader.Pos(entry)};
}

bool SoundOnSample(const CheckSpec& spec) {
  return std::visit([](const auto& options) { return SoundOnSample(options); }, spec.options);
}

}  // namespace traceproof
