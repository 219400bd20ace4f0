// The options of a `throughput` check as plain data: how many spans may be lost between the
// services and the sink, and the rates the sink and the load must reach. Parsed from a
// scenario's YAML at load time (a mistake is a LoadError with file:line:col); evaluated by the
// check MakeCheck (make_check.h) builds from it when the run starts. A value: copy it, read it
// from any thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "checks/comparison.h"
#include "config/source_pos.h"

namespace traceproof {

struct ThroughputSpec {
  Comparison loss{.op = Comparison::Op::kEq, .value = 0, .text = "== 0"};
  std::optional<double> min_spans_per_s;
  std::optional<double> min_requests_per_s;
  std::optional<double> rate_within;  // a share: 0.1 = achieved within 10% of the target
  SourcePos pos;                      // of the options
};

// `options` is the value under `throughput:`; throws LoadError naming `file`.
ThroughputSpec ParseThroughputSpec(const YAML::Node& options, const std::string& file);

// Loss is only known once everything drained, and rates are over the whole run.
bool SoundOnSample(const ThroughputSpec& spec);

}  // namespace traceproof
