// One assembled trace as the store holds it: every span received for a trace id, in arrival
// order, plus the request buffers its views point into. A trace is handed out when it
// completes; spans arriving after that make an update: the same trace handed out again with
// the late spans marked (new_from), or, when the trace was evicted meanwhile, a trace of the
// late spans alone marked follows_evicted. Once the store hands a Trace out (when
// it completes) it is never modified again, so readers on any thread may keep and read it.
#pragma once

#include <chrono>
#include <cstddef>
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
  // Spans before this index were handed out by an earlier completion: an update hands out
  // only spans[new_from..] as new (the dump writes them as an update record).
  std::size_t new_from = 0;
  std::size_t handed_out = 0;  // spans handed out by completions so far (the next new_from)
  // The trace's earlier spans were handed out and then evicted: every span here is late.
  bool follows_evicted = false;

  // Whether this completion continues a trace already handed out (late spans).
  bool IsUpdate() const { return times_completed > 1 || follows_evicted; }
  std::size_t NewSpanCount() const { return spans.size() - new_from; }
};

}  // namespace traceproof
