#include "checks/propagation_spec.h"

#include "checks/check_util.h"
#include "config/yaml_reader.h"

namespace traceproof {

namespace {

// `queues: { expect: child|link, lost: "== 0", redelivered: "<= 5" }`.
void ReadQueues(YamlReader& reader, const Field& field, PropagationSpec& spec) {
  for (const Field& q : checks::NestedFields(reader, field, {"expect", "lost", "redelivered"})) {
    if (q.name == "lost") {
      spec.lost = checks::ReadCountComparison(reader, q);
      continue;
    }
    if (q.name == "redelivered") {
      spec.redelivered = checks::ReadCountComparison(reader, q);
      continue;
    }
    const std::string mode = reader.String(q);
    if (mode != "child" && mode != "link") {
      reader.Fail(q, "unknown queues expect '" + mode +
                         "': want child (the consumer span continues the producer's trace) or "
                         "link (it starts a new trace linked to the producer span)");
    }
    spec.expect_links = mode == "link";
  }
}

}  // namespace

PropagationSpec ParsePropagationSpec(const YAML::Node& options, const std::string& file) {
  YamlReader reader(file);
  const auto fields = checks::OptionFields(reader, options, "propagation",
                                           {"broken_traces", "detached", "queues", "tracestate"});
  PropagationSpec spec;
  spec.pos = reader.Pos(options);
  for (const Field& f : fields) {
    if (f.name == "broken_traces") spec.broken_traces = checks::ReadCountComparison(reader, f);
    if (f.name == "detached") spec.detached = checks::ReadCountComparison(reader, f);
    if (f.name == "tracestate") spec.tracestate = reader.Bool(f);
    if (f.name == "queues") ReadQueues(reader, f, spec);
  }
  return spec;
}

bool SoundOnSample(const PropagationSpec& spec) {
  auto bound = [](const std::optional<Comparison>& c) { return !c || c->UpperBoundOnCount(); };
  return spec.broken_traces.UpperBoundOnCount() && bound(spec.detached) && bound(spec.lost) &&
         bound(spec.redelivered);
}

}  // namespace traceproof
