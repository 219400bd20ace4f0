// A SpanExporter that keeps what it is given, for tests of the batch span processor and of
// anything that emits spans: it records every Export call, keeps the spans of successful ones,
// can answer with a scripted sequence of results (fail twice, then succeed) and can stall
// (block inside Export) to simulate a backend that stopped answering. Thread-safe: the
// processor's worker exports while the test reads, scripts, blocks and unblocks.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

#include "tracing/finished_span.h"
#include "tracing/span_exporter.h"

namespace traceproof {

class InMemoryExporter final : public SpanExporter {
 public:
  // Waits while blocked; then answers the next scripted result (kSuccess once the script is
  // used up). Spans are kept only when the answer is kSuccess. After Shutdown: kFailed.
  ExportResult Export(const std::vector<FinishedSpan>& batch) noexcept override;
  void Shutdown() noexcept override;  // also releases a blocked Export

  // Appends results for the next Export calls, in order.
  void ScriptResults(std::vector<ExportResult> results);
  // While blocked, Export waits before answering, as a stalled backend would.
  void SetBlocked(bool blocked);
  // Waits until Export has been entered `calls` times in total; false on timeout.
  bool WaitForCalls(std::size_t calls, std::chrono::milliseconds timeout) const;

  std::vector<FinishedSpan> spans() const;       // a copy of every span kept, in order
  std::vector<std::size_t> batch_sizes() const;  // one entry per Export call, in order
  std::size_t export_calls() const;
  int shutdown_calls() const;
  void Clear();  // forgets spans and batch sizes; keeps the script and the blocked state

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<FinishedSpan> spans_;
  std::vector<std::size_t> batch_sizes_;
  std::deque<ExportResult> script_;
  std::size_t calls_ = 0;
  int shutdown_calls_ = 0;
  bool blocked_ = false;
};

}  // namespace traceproof
