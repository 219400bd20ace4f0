// What the tracer calls when a sampled span ends. The batch span processor queues spans and
// exports them from a worker thread; tests use a processor that just collects. OnEnd is called
// from any request thread: implementations must be thread-safe and must not block for long.
#pragma once

#include <chrono>

#include "tracing/finished_span.h"

namespace traceproof {

class SpanProcessor {
 public:
  virtual ~SpanProcessor() = default;
  virtual void OnEnd(FinishedSpan&& span) noexcept = 0;
  // Exports everything queued so far; false if it did not finish within `timeout`.
  virtual bool ForceFlush(std::chrono::milliseconds timeout) noexcept = 0;
  virtual void Shutdown() noexcept = 0;
};

}  // namespace traceproof
