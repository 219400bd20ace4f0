// The options of a `hygiene` check as plain data: how many distinct values an attribute key
// may take (and which keys are exempt), and how many spans may be clock-skewed or lack
// service.name. Parsed from a scenario's YAML at load time (a mistake is a LoadError with
// file:line:col); evaluated by the check MakeCheck (make_check.h) builds from it when the run
// starts. A value: copy it, read it from any thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "checks/comparison.h"
#include "config/source_pos.h"

namespace traceproof {

struct HygieneSpec {
  long long max_cardinality = 100;  // distinct values per attribute key
  std::vector<std::string> ignore_keys;
  Comparison clock_skew{.op = Comparison::Op::kEq, .value = 0, .text = "== 0"};
  Comparison missing_service_name{.op = Comparison::Op::kEq, .value = 0, .text = "== 0"};
  SourcePos pos;  // of the options
};

// `options` is the value under `hygiene:`; throws LoadError naming `file`.
HygieneSpec ParseHygieneSpec(const YAML::Node& options, const std::string& file);

// A sample holds no more distinct values of a key than the whole run, nor more skewed or
// nameless spans.
bool SoundOnSample(const HygieneSpec& spec);

}  // namespace traceproof
