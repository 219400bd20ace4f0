// The options of a `sinks` check as plain data, for a run with a sink tier (`sink: { count: N }`
// behind a Collector's loadbalancing exporter): how many traces may be split over two or more
// sinks (routing by trace id must put each trace whole on one), and how many sinks may have
// received no trace at all (a ring that never routes to a sink is misconfigured). Parsed from a
// scenario's YAML at load time (a mistake is a LoadError with file:line:col); a multi-sink
// scenario without the check gets one with these defaults. Evaluated by the check MakeCheck
// (make_check.h) builds from it. A value: copy it, read it from any thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "checks/comparison.h"
#include "config/source_pos.h"

namespace traceproof {

struct SinksSpec {
  Comparison split_traces{.op = Comparison::Op::kEq, .value = 0, .text = "== 0"};
  Comparison idle_sinks{.op = Comparison::Op::kEq, .value = 0, .text = "== 0"};
  SourcePos pos;  // of the options
};

// `options` is the value under `sinks:`; throws LoadError naming `file`.
SinksSpec ParseSinksSpec(const YAML::Node& options, const std::string& file);

// Which sink saw which trace is only known once the run is over.
bool SoundOnSample(const SinksSpec& spec);

}  // namespace traceproof
