// How long the streaming checks of a run may keep what they hold of a completed trace
// (checks/check.h TallyContext): the structure check's skeletons for late spans, and the sink
// facts that propagation and throughput join with ground truth. The truth joiner hands a
// request out within settle + missing_after of its last record, and a request's traces reach
// the sink about when its records do, so twice that bound (at least 30 s) lets every request be
// judged against what a batch judge sees. The sink facts are kept to the end instead when
// requests come out only at the end: a published message holds its request to the end (it may
// be delivered again), witnesses are judged at the end, and services elsewhere give their
// ground truth at the end. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <optional>

#include "checks/truth_join.h"
#include "scenario/scenario.h"

namespace traceproof {

struct ForgetWindows {
  std::chrono::nanoseconds traces{};                    // TallyContext::forget_traces_after
  std::optional<std::chrono::nanoseconds> sink_traces;  // ::forget_sink_traces_after
};

// `witnesses`: services we did not write call our mocks (TallyContext::witnesses).
ForgetWindows ChecksForgetWindows(const Scenario& scenario, const checks::TruthJoinOptions& join,
                                  bool witnesses);

// A route or consumer of some service publishes to a queue.
bool PublishesMessages(const ServiceGraph& graph);

}  // namespace traceproof
