// The options of a `propagation` check as plain data: how many requests may arrive broken
// (several traces for one request), how many spans may be detached, whether tracestate must
// reach children, and what queue consumers must be (children of the producer or linked to it)
// with bounds on lost and redelivered messages. Parsed from a scenario's YAML at load time (a
// mistake is a LoadError with file:line:col); evaluated by the check MakeCheck (make_check.h)
// builds from it when the run starts. A value: copy it, read it from any thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "checks/comparison.h"
#include "config/source_pos.h"

namespace traceproof {

struct PropagationSpec {
  Comparison broken_traces{.op = Comparison::Op::kEq, .value = 0, .text = "== 0"};
  std::optional<Comparison> detached;
  bool tracestate = false;
  bool expect_links = false;              // queues: { expect: link }
  std::optional<Comparison> lost;         // queues: { lost: "== 0" }: messages never processed
  std::optional<Comparison> redelivered;  // queues: { redelivered: "== 25" }: processed again
  SourcePos pos;                          // of the options
};

// `options` is the value under `propagation:`; throws LoadError naming `file`.
PropagationSpec ParsePropagationSpec(const YAML::Node& options, const std::string& file);

// Every bound is an upper bound on a count: a sample that breaks one shows the run breaks it.
bool SoundOnSample(const PropagationSpec& spec);

}  // namespace traceproof
