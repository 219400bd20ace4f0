// One entry of a scenario's `checks:` list as plain data, e.g.
//   - propagation: { broken_traces: "== 0" }
// Exactly one key per entry, the check kind; its value holds the kind's options, parsed into
// that kind's spec (checks/<kind>_spec.h). Unknown kinds and options are LoadErrors with
// file:line:col and a did-you-mean hint, raised while the scenario loads; the Check that
// evaluates a spec is built from it when the run starts (make_check.h). A value: a scenario
// holding specs can be copied; read it from any thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <variant>
#include <vector>

#include "checks/hygiene_spec.h"
#include "checks/latency_spec.h"
#include "checks/propagation_spec.h"
#include "checks/sampling_spec.h"
#include "checks/sinks_spec.h"
#include "checks/structure_spec.h"
#include "checks/throughput_spec.h"
#include "config/source_pos.h"

namespace traceproof {

using CheckOptions = std::variant<StructureSpec, PropagationSpec, SamplingSpec, LatencySpec,
                                  ThroughputSpec, HygieneSpec, SinksSpec>;

struct CheckSpec {
  std::string kind;  // "structure", ...: the entry's key
  CheckOptions options;
  SourcePos pos;  // of the entry
};

// The check kinds, in the order of CheckOptions' alternatives.
const std::vector<std::string>& CheckKinds();

// `entry` is one element of the `checks:` list; throws LoadError naming `file`.
CheckSpec ParseCheckSpec(const YAML::Node& entry, const std::string& file);

// Whether a failure on a sample of the run's requests means the whole run fails too (per-span
// and per-trace properties, upper bounds on counts), so the progress line may show it as
// "failing so far" (run/checks_so_far.h). Lower bounds, shares and percentiles may not be.
bool SoundOnSample(const CheckSpec& spec);

}  // namespace traceproof
