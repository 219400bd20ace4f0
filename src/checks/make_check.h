// Builds the Check that evaluates a check spec (check_spec.h), when a run starts: the scenario
// holds specs, the run holds the checks. One factory per kind, each defined beside its
// evaluation in checks/<kind>.cc; MakeCheck dispatches on the spec's alternative. Building
// cannot fail: the spec was validated when the scenario loaded. Thread-safe.
#pragma once

#include <memory>

#include "checks/check.h"
#include "checks/check_spec.h"

namespace traceproof {

std::unique_ptr<Check> MakeCheck(const CheckSpec& spec);

std::unique_ptr<Check> MakeStructureCheck(const StructureSpec& spec);
std::unique_ptr<Check> MakePropagationCheck(const PropagationSpec& spec);
std::unique_ptr<Check> MakeSamplingCheck(const SamplingSpec& spec);
std::unique_ptr<Check> MakeLatencyCheck(const LatencySpec& spec);
std::unique_ptr<Check> MakeThroughputCheck(const ThroughputSpec& spec);
std::unique_ptr<Check> MakeHygieneCheck(const HygieneSpec& spec);
std::unique_ptr<Check> MakeSinksCheck(const SinksSpec& spec);

}  // namespace traceproof
