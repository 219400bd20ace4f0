#include "checks/sampling_spec.h"

#include "checks/check_util.h"
#include "config/yaml_reader.h"

namespace traceproof {

namespace {

TailSamplingSpec ReadTail(YamlReader& reader, const Field& field) {
  TailSamplingSpec tail;
  for (const Field& t :
       checks::NestedFields(reader, field, {"keep_errors", "keep_slower_than", "ratio"})) {
    if (t.name == "keep_errors") tail.keep_errors = reader.Bool(t);
    if (t.name == "keep_slower_than") {
      tail.keep_slower_than = reader.NonNegativeDuration(t, "keep_slower_than");
    }
    if (t.name == "ratio") {
      const double v = reader.Number(t);
      if (v < 0 || v > 1) reader.Fail(t, "'ratio' is a share in 0..1, e.g. 0.1");
      tail.ratio = v;
    }
  }
  return tail;
}

}  // namespace

SamplingSpec ParseSamplingSpec(const YAML::Node& options, const std::string& file) {
  YamlReader reader(file);
  const auto fields = checks::OptionFields(reader, options, "sampling",
                                           {"head_ratio", "confidence", "parent_based", "tail"});
  SamplingSpec spec;
  spec.pos = reader.Pos(options);
  for (const Field& f : fields) {
    if (f.name == "head_ratio") {
      const double v = reader.Number(f);
      if (v < 0 || v > 1) reader.Fail(f, "'head_ratio' is a share in 0..1, e.g. 0.25");
      spec.head_ratio = v;
    } else if (f.name == "confidence") {
      spec.confidence = reader.Number(f);
      if (!(spec.confidence > 0.5 && spec.confidence < 1)) {
        reader.Fail(f, "'confidence' is a probability in (0.5, 1), e.g. 0.999");
      }
    } else if (f.name == "parent_based") {
      spec.parent_based = reader.Bool(f);
    } else if (f.name == "tail") {
      spec.tail = ReadTail(reader, f);
    }
  }
  return spec;
}

bool SoundOnSample(const SamplingSpec&) { return true; }

}  // namespace traceproof
