// The batch span processor every mock service runs between its tracer and its exporter, as in
// the OpenTelemetry SDKs: OnEnd queues a finished span (a lock and a move, no allocation in the
// steady state), one worker thread exports batches of up to max_export_batch_size when a batch
// is full or schedule_delay has passed, and a full queue drops spans and counts them rather than
// slowing the request that ended them. Retrying is the exporter's business (the OTLP exporters
// retry per the OTLP spec); a batch the exporter gives up on is counted as failed.
//
// SetExportPaused simulates an exporter outage (the mock services' exporter_outage fault):
// while paused the worker still drains the queue but discards instead of exporting, counted
// apart from queue drops, so an outage shows up as its own number in the report.
//
// Thread-safe: OnEnd from any request thread; ForceFlush, Shutdown, SetExportPaused and the
// counters from any thread. The exporter is only ever called from the worker, except that
// Shutdown calls its Shutdown.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "tracing/span_exporter.h"
#include "tracing/span_processor.h"

namespace traceproof {

struct BatchSpanProcessorOptions {
  std::size_t max_queue_size = 2048;               // spans waiting for the worker; more are dropped
  std::size_t max_export_batch_size = 512;         // clamped to max_queue_size
  std::chrono::milliseconds schedule_delay{5000};  // longest a span waits for a partial batch
  // How long Shutdown waits for the final flush before it shuts the exporter down under the
  // worker's feet. (Each export is bounded by the exporter's own timeout.)
  std::chrono::milliseconds export_timeout{30000};

  // SDK defaults overridden by OTEL_BSP_MAX_QUEUE_SIZE, OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
  // OTEL_BSP_SCHEDULE_DELAY and OTEL_BSP_EXPORT_TIMEOUT (milliseconds). Unparsable or
  // non-positive values keep the default, as the SDKs do.
  using GetEnv = std::function<const char*(const char*)>;
  static BatchSpanProcessorOptions FromEnv(const GetEnv& getenv);
  static BatchSpanProcessorOptions FromEnv();  // the process environment
};

class BatchSpanProcessor final : public SpanProcessor {
 public:
  BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter,
                     const BatchSpanProcessorOptions& options = {});
  ~BatchSpanProcessor() override;  // Shutdown()

  BatchSpanProcessor(const BatchSpanProcessor&) = delete;
  BatchSpanProcessor& operator=(const BatchSpanProcessor&) = delete;

  void OnEnd(FinishedSpan&& span) noexcept override;
  // Exports everything queued before the call; false if that took longer than `timeout`.
  bool ForceFlush(std::chrono::milliseconds timeout) noexcept override;
  // Flushes (bounded by export_timeout), stops the worker, shuts the exporter down. Idempotent;
  // spans ended afterwards are dropped and counted in dropped_spans.
  void Shutdown() noexcept override;

  void SetExportPaused(bool paused) noexcept;

  // Monotonic span counts. Once flushed: queued = exported + rejected + failed + outage drops.
  std::uint64_t queued_spans() const;   // accepted by OnEnd
  std::uint64_t dropped_spans() const;  // refused by OnEnd: queue full, or after Shutdown
  std::uint64_t exported_spans() const { return exported_.load(std::memory_order_relaxed); }
  // Sent, but refused by the backend as invalid (OTLP partial_success.rejected_spans).
  std::uint64_t rejected_spans() const { return rejected_.load(std::memory_order_relaxed); }
  // In batches the exporter gave up on (kFailed, or kRetryable after its own retries).
  std::uint64_t failed_spans() const { return failed_.load(std::memory_order_relaxed); }
  // Discarded by the worker while export was paused.
  std::uint64_t dropped_spans_outage() const { return outage_.load(std::memory_order_relaxed); }

 private:
  void Work();
  void ExportAll(std::vector<FinishedSpan>& spans, std::vector<FinishedSpan>& chunk);
  void ExportOne(const std::vector<FinishedSpan>& batch);

  const std::unique_ptr<SpanExporter> exporter_;
  const std::size_t max_queue_size_;
  const std::size_t max_export_batch_size_;
  const std::chrono::milliseconds schedule_delay_;
  const std::chrono::milliseconds export_timeout_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;   // wakes the worker
  std::condition_variable flush_cv_;  // wakes ForceFlush callers
  std::vector<FinishedSpan> queue_;
  std::uint64_t queued_ = 0;   // guarded by mu_: OnEnd holds it anyway, so no atomic needed
  std::uint64_t dropped_ = 0;  // guarded by mu_
  std::uint64_t flush_requested_ = 0;
  std::uint64_t flush_done_ = 0;
  bool stop_ = false;         // set by Shutdown; OnEnd refuses spans from then on
  bool worker_done_ = false;  // the worker exported its last batch and returned

  std::atomic<bool> paused_{false};
  std::atomic<std::uint64_t> exported_{0}, rejected_{0}, failed_{0}, outage_{0};
  std::once_flag shutdown_once_;
  std::thread worker_;
};

}  // namespace traceproof
