// The options of a `latency` check as plain data: percentile bounds on selected spans'
// durations, the service (or service and operation) expected to own the slow traces' critical
// path, and bounds on the shapes that make traces slow (gaps, sequential client calls, the
// fattest leaf). Parsed from a scenario's YAML at load time (a mistake is a LoadError with
// file:line:col); evaluated by the check MakeCheck (make_check.h) builds from it when the run
// starts. A value: copy it, read it from any thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "checks/comparison.h"
#include "checks/selector.h"
#include "config/source_pos.h"

namespace traceproof {

// `p99: { select: span[kind=SERVER], max: 800ms }`.
struct PercentileAssertion {
  std::string name;  // "p99"
  double percentile = 0;
  Selector select;
  std::chrono::nanoseconds max{0};
};

struct LatencySpec {
  std::vector<PercentileAssertion> percentiles;  // in the order written
  std::optional<std::string> critical_path_top;  // "SERVICE" or "SERVICE OPERATION"
  double slow_traces = 0.05;  // critical_path_top is judged over this slowest share of traces
  std::optional<std::chrono::nanoseconds> gaps_max;
  std::optional<Comparison> sequential_max;
  std::optional<std::chrono::nanoseconds> fattest_leaf_max;
  SourcePos pos;  // of the options
};

// `options` is the value under `latency:`; throws LoadError naming `file`, also when the check
// asserts nothing.
LatencySpec ParseLatencySpec(const YAML::Node& options, const std::string& file);

// Percentiles and the critical path's owner may differ between a sample and the run.
bool SoundOnSample(const LatencySpec& spec);

}  // namespace traceproof
