// The end of a load: wait until what is still on its way has arrived, bounded. Shared by
// `traceproof run` (services → [Collector] → sink) and `bench collector` (one trial's spans
// through a Collector), which judge "arrived" the same way: a count that moves while anything
// moves (spans reaching the sink, a Collector accepting or sending) has stood still for a quiet
// period, and whatever sits upstream (a Collector's batches, queues, undecided tail-sampling
// traces) says it holds nothing. When upstream cannot tell (its metrics did not answer), a
// longer quiet period or "everything expected arrived" decides. Blocks the calling thread;
// the probes are called from it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "process/collector_metrics.h"

namespace traceproof {

struct DrainProbes {
  // Grows while anything moves; a change starts the quiet period again. Required.
  std::function<std::uint64_t()> moved;
  // Whether something upstream still holds spans: true, false, or nullopt when it cannot tell.
  // Empty: nothing upstream (the sink alone).
  std::function<std::optional<bool>()> holds_spans;
  // Done at once when this says everything expected has arrived. May be empty.
  std::function<bool()> all_arrived;
};

struct DrainOptions {
  std::chrono::nanoseconds quiet{std::chrono::milliseconds(500)};
  std::chrono::nanoseconds max{std::chrono::seconds(15)};
  std::chrono::milliseconds poll{50};
  // Upstream cannot tell: the quiet period that decides instead; nullopt keeps waiting (to max).
  std::optional<std::chrono::nanoseconds> quiet_when_unknown;
  const std::atomic<bool>* stop = nullptr;  // Ctrl-C ends the wait
  // Called after every poll, from the waiting thread (the run's per-second series); may be empty.
  std::function<void()> tick;
};

struct DrainResult {
  bool settled = false;  // false: max passed (or a stop) with spans still on their way
  std::chrono::nanoseconds took{0};
};

DrainResult DrainUntilSettled(const DrainProbes& probes, const DrainOptions& options);

// A Collector holds nothing of what it accepted since `since` was zero: its exporter queues are
// empty, every trace its tail sampler saw is decided, and every accepted span was sent, failed,
// or (with `spans_per_trace`, when a tail sampler runs) sampled out in a trace not kept.
// Without spans_per_trace a tail sampler's span count cannot be reconciled: decisions decide.
bool CollectorHoldsNothing(const CollectorCounters& since,
                           std::optional<std::uint64_t> spans_per_trace);

}  // namespace traceproof
