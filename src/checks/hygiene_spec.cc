#include "checks/hygiene_spec.h"

#include <cmath>

#include "checks/check_util.h"
#include "config/yaml_reader.h"

namespace traceproof {

namespace {

std::vector<std::string> ReadIgnoreKeys(YamlReader& reader, const Field& f) {
  if (!f.value.IsSequence()) {
    reader.Fail(f, "want a list of attribute keys for 'ignore_keys', got " + Describe(f.value));
  }
  std::vector<std::string> keys;
  for (const auto& item : f.value) {
    if (!item.IsScalar() || item.Scalar().empty()) {
      reader.Fail(item, "want an attribute key in 'ignore_keys', got " + Describe(item));
    }
    keys.push_back(item.Scalar());
  }
  return keys;
}

// A whole number of distinct values, bare or "<= N".
long long ReadMaxCardinality(YamlReader& reader, const Field& f) {
  const double v = checks::ReadBoundNumber(reader, f);
  if (v != std::floor(v) || v < 1 || v > 1'000'000) {
    reader.Fail(f, "'max_cardinality' is " + f.value.Scalar() +
                       ", want 1..1000000 (a whole number of distinct values)");
  }
  return static_cast<long long>(v);
}

}  // namespace

HygieneSpec ParseHygieneSpec(const YAML::Node& options, const std::string& file) {
  YamlReader reader(file);
  const auto fields = checks::OptionFields(
      reader, options, "hygiene",
      {"max_cardinality", "ignore_keys", "clock_skew", "missing_service_name"});
  HygieneSpec spec;
  spec.pos = reader.Pos(options);
  for (const Field& f : fields) {
    if (f.name == "max_cardinality") spec.max_cardinality = ReadMaxCardinality(reader, f);
    if (f.name == "clock_skew") spec.clock_skew = checks::ReadCountComparison(reader, f);
    if (f.name == "missing_service_name") {
      spec.missing_service_name = checks::ReadCountComparison(reader, f);
    }
    if (f.name == "ignore_keys") spec.ignore_keys = ReadIgnoreKeys(reader, f);
  }
  return spec;
}

bool SoundOnSample(const HygieneSpec& spec) {
  return spec.clock_skew.UpperBoundOnCount() && spec.missing_service_name.UpperBoundOnCount();
}

}  // namespace traceproof
