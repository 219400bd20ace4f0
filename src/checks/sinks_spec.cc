#include "checks/sinks_spec.h"

#include "checks/check_util.h"
#include "config/yaml_reader.h"

namespace traceproof {

SinksSpec ParseSinksSpec(const YAML::Node& options, const std::string& file) {
  YamlReader reader(file);
  const auto fields =
      checks::OptionFields(reader, options, "sinks", {"split_traces", "idle_sinks"});
  SinksSpec spec;
  spec.pos = reader.Pos(options);
  for (const Field& f : fields) {
    if (f.name == "split_traces") spec.split_traces = checks::ReadCountComparison(reader, f);
    if (f.name == "idle_sinks") spec.idle_sinks = checks::ReadCountComparison(reader, f);
  }
  return spec;
}

bool SoundOnSample(const SinksSpec&) { return false; }

}  // namespace traceproof
