// One assembled trace as the store holds it: every span received for a trace id, in arrival
// order, plus the request buffers its views point into. Once the store hands a Trace out (when
// it completes) it is never modified again, so readers on any thread may keep and read it.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "otlp/span_view.h"

namespace traceproof {

using Clock = std::chrono::steady_clock;

struct Trace {
  TraceId id;
  std::vector<SpanView> spans;
  // Keeps the views alive; one entry per distinct request that contributed spans.
  std::vector<std::shared_ptr<const std::string>> buffers;
  Clock::time_point first_seen{};
  Clock::time_point last_seen{};
  int times_completed = 0;  // > 1: late spans reopened the trace after it had completed
};

}  // namespace traceproof
