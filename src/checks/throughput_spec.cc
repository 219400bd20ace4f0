#include "checks/throughput_spec.h"

#include "checks/check_util.h"
#include "config/yaml_reader.h"

namespace traceproof {

ThroughputSpec ParseThroughputSpec(const YAML::Node& options, const std::string& file) {
  YamlReader reader(file);
  const auto fields =
      checks::OptionFields(reader, options, "throughput",
                           {"loss", "min_spans_per_s", "min_requests_per_s", "rate_within"});
  ThroughputSpec spec;
  spec.pos = reader.Pos(options);
  auto positive = [&reader](const Field& f) {
    const double v = checks::ReadBoundNumber(reader, f);
    if (!(v > 0)) reader.Fail(f, "'" + f.name + "' must be > 0");
    return v;
  };
  for (const Field& f : fields) {
    if (f.name == "loss") spec.loss = checks::ReadCountComparison(reader, f);
    if (f.name == "min_spans_per_s") spec.min_spans_per_s = positive(f);
    if (f.name == "min_requests_per_s") spec.min_requests_per_s = positive(f);
    if (f.name == "rate_within") spec.rate_within = reader.Rate(f);
  }
  return spec;
}

bool SoundOnSample(const ThroughputSpec&) { return false; }

}  // namespace traceproof
