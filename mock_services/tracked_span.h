// A span and its ground-truth record, started and ended together, so every span a mock emits,
// sampled or not, is in the ground truth with the parent it should have had and the faults
// applied to it. The span-wide faults (high_cardinality, clock_skew) are applied here, where
// every span starts. Owned by the request's thread.
#pragma once

#include <optional>
#include <string_view>

#include "mock_services/step_context.h"
#include "tracing/tracer.h"
#include "truth/ground_truth.h"

namespace traceproof::mock {

struct TrackedSpan {
  std::optional<Span> span;
  GroundTruthSpan truth;
  bool active = false;  // false for an uninstrumented service: no span, no record
};

// A span of `kind` under `parent` (a root when nullopt), recorded as expected to be the child
// of `expected_parent`.
TrackedSpan StartSpan(const StepContext& ctx, const RequestState& st, std::string_view name,
                      SpanKind kind, const std::optional<SpanContext>& parent,
                      SpanId expected_parent);
// Ends the span (an ERROR adds an exception event with `message`) and records its truth.
void EndSpan(const StepContext& ctx, TrackedSpan& t, StatusCode status,
             std::string_view message = {});

}  // namespace traceproof::mock
