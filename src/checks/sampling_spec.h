// The options of a `sampling` check as plain data: the head sampling ratio to test (else the
// services' configured one), the confidence of that test, whether every request must be sampled
// whole (parent-based), and what a tail sampler must keep. Parsed from a scenario's YAML at load
// time (a mistake is a LoadError with file:line:col); evaluated by the check MakeCheck
// (make_check.h) builds from it when the run starts. A value: copy it, read it from any thread.
//
// Not to be confused with the scenario's `sampling:` section (HeadSamplingSpec in
// scenario/scenario.h), which configures the services' samplers rather than checks them.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <optional>
#include <string>

#include "config/source_pos.h"

namespace traceproof {

// `tail: { keep_errors: true, keep_slower_than: 500ms, ratio: 0.1 }`.
struct TailSamplingSpec {
  bool keep_errors = false;
  std::optional<std::chrono::nanoseconds> keep_slower_than;
  std::optional<double> ratio;  // of the other traces
};

struct SamplingSpec {
  std::optional<double> head_ratio;  // nullopt: the ratio the services were given
  double confidence = 0.999;
  bool parent_based = true;
  std::optional<TailSamplingSpec> tail;
  SourcePos pos;  // of the options
};

// `options` is the value under `sampling:` in a check; throws LoadError naming `file`.
SamplingSpec ParseSamplingSpec(const YAML::Node& options, const std::string& file);

// Partly sampled traces are a per-trace property; the head ratio's confidence interval is
// computed for the sample's own size, and the sample is random (request ids are).
bool SoundOnSample(const SamplingSpec& spec);

}  // namespace traceproof
