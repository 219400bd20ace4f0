#include "tracing/batch_span_processor.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <string_view>
#include <utility>

namespace traceproof {
namespace {

// A positive decimal integer, surrounding blanks allowed; nullopt for anything else.
std::optional<std::uint64_t> PositiveInt(const char* value) {
  if (value == nullptr) return std::nullopt;
  std::string_view s(value);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || n == 0) return std::nullopt;
  return n;
}

}  // namespace

BatchSpanProcessorOptions BatchSpanProcessorOptions::FromEnv(const GetEnv& getenv) {
  BatchSpanProcessorOptions o;
  if (auto v = PositiveInt(getenv("OTEL_BSP_MAX_QUEUE_SIZE"))) o.max_queue_size = *v;
  if (auto v = PositiveInt(getenv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE"))) o.max_export_batch_size = *v;
  if (auto v = PositiveInt(getenv("OTEL_BSP_SCHEDULE_DELAY")))
    o.schedule_delay = std::chrono::milliseconds(*v);
  if (auto v = PositiveInt(getenv("OTEL_BSP_EXPORT_TIMEOUT")))
    o.export_timeout = std::chrono::milliseconds(*v);
  return o;
}

BatchSpanProcessorOptions BatchSpanProcessorOptions::FromEnv() {
  return FromEnv([](const char* name) -> const char* { return std::getenv(name); });
}

BatchSpanProcessor::BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter,
                                       const BatchSpanProcessorOptions& options)
    : exporter_(std::move(exporter)),
      max_queue_size_(std::max<std::size_t>(1, options.max_queue_size)),
      // As the SDKs do: a batch larger than the queue could never fill.
      max_export_batch_size_(
          std::clamp<std::size_t>(options.max_export_batch_size, 1, max_queue_size_)),
      // A zero delay would make the worker spin on an empty queue.
      schedule_delay_(std::max(options.schedule_delay, std::chrono::milliseconds(1))),
      export_timeout_(options.export_timeout) {
  // The worker swaps buffers with OnEnd, so both settle at their working size and OnEnd stops
  // allocating; reserving the whole queue up front would waste memory on huge queues.
  queue_.reserve(std::min<std::size_t>(max_queue_size_, 2 * max_export_batch_size_));
  worker_ = std::thread([this] { Work(); });
}

BatchSpanProcessor::~BatchSpanProcessor() { Shutdown(); }

void BatchSpanProcessor::OnEnd(FinishedSpan&& span) noexcept {
  bool batch_full;
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= max_queue_size_ || stop_) {
      ++dropped_;
      return;
    }
    queue_.push_back(std::move(span));
    ++queued_;
    // Wake the worker once per batch, not per span: notifying is a syscall when it waits.
    batch_full = queue_.size() == max_export_batch_size_;
  }
  if (batch_full) work_cv_.notify_one();
}

bool BatchSpanProcessor::ForceFlush(std::chrono::milliseconds timeout) noexcept {
  std::unique_lock lock(mu_);
  if (stop_) return flush_cv_.wait_for(lock, timeout, [&] { return worker_done_; });
  const std::uint64_t target = ++flush_requested_;
  work_cv_.notify_one();
  return flush_cv_.wait_for(lock, timeout, [&] { return flush_done_ >= target || worker_done_; });
}

void BatchSpanProcessor::Shutdown() noexcept {
  std::call_once(shutdown_once_, [this] {
    const bool flushed = ForceFlush(export_timeout_);
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    work_cv_.notify_one();
    // A flush that did not finish is stuck in an export (a dead backend, retries backing off):
    // shutting the exporter down first cuts that short, so Shutdown stays bounded.
    if (!flushed) exporter_->Shutdown();
    worker_.join();
    if (flushed) exporter_->Shutdown();
  });
}

void BatchSpanProcessor::SetExportPaused(bool paused) noexcept {
  paused_.store(paused, std::memory_order_relaxed);
}

std::uint64_t BatchSpanProcessor::queued_spans() const {
  std::lock_guard lock(mu_);
  return queued_;
}

std::uint64_t BatchSpanProcessor::dropped_spans() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

void BatchSpanProcessor::Work() {
  std::vector<FinishedSpan> taken, chunk;
  std::unique_lock lock(mu_);
  taken.reserve(queue_.capacity());
  for (;;) {
    const bool woken = work_cv_.wait_for(lock, schedule_delay_, [&] {
      return stop_ || flush_requested_ != flush_done_ || queue_.size() >= max_export_batch_size_;
    });
    const std::uint64_t flush_target = flush_requested_;
    const bool stopping = stop_;
    // Woken by a full batch, take only whole batches: the remainder waits to fill up, so a busy
    // service sends full batches instead of a full one and a scrap. The delay, a flush or
    // shutdown takes everything.
    const bool drain = !woken || stopping || flush_target != flush_done_;
    const std::size_t n =
        drain ? queue_.size() : queue_.size() / max_export_batch_size_ * max_export_batch_size_;
    if (n == queue_.size()) {
      // O(1), and the emptied buffer keeps its capacity for OnEnd.
      taken.swap(queue_);
    } else {
      const auto split = queue_.begin() + static_cast<std::ptrdiff_t>(n);
      taken.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(split));
      queue_.erase(queue_.begin(), split);  // moves fewer than one batch
    }
    // Export without the lock, so OnEnd never waits for the network.
    lock.unlock();
    ExportAll(taken, chunk);
    taken.clear();
    lock.lock();
    flush_done_ = flush_target;
    if (stopping) {
      worker_done_ = true;  // OnEnd refuses spans once stop_ is set, so nothing is left behind
      flush_cv_.notify_all();
      return;
    }
    flush_cv_.notify_all();
  }
}

void BatchSpanProcessor::ExportAll(std::vector<FinishedSpan>& spans,
                                   std::vector<FinishedSpan>& chunk) {
  if (spans.size() <= max_export_batch_size_) {
    if (!spans.empty()) ExportOne(spans);
    return;
  }
  for (std::size_t begin = 0; begin < spans.size(); begin += max_export_batch_size_) {
    const std::size_t end = std::min(spans.size(), begin + max_export_batch_size_);
    chunk.assign(std::make_move_iterator(spans.begin() + static_cast<std::ptrdiff_t>(begin)),
                 std::make_move_iterator(spans.begin() + static_cast<std::ptrdiff_t>(end)));
    ExportOne(chunk);
  }
  chunk.clear();
}

void BatchSpanProcessor::ExportOne(const std::vector<FinishedSpan>& batch) {
  const std::uint64_t n = batch.size();
  if (paused_.load(std::memory_order_relaxed)) {
    outage_.fetch_add(n, std::memory_order_relaxed);
    return;
  }
  ExportResult result = exporter_->Export(batch);
  if (result.kind == ExportResult::Kind::kSuccess) {
    const std::uint64_t rejected = std::min(result.rejected_spans, n);
    exported_.fetch_add(n - rejected, std::memory_order_relaxed);
    rejected_.fetch_add(rejected, std::memory_order_relaxed);
  } else {
    failed_.fetch_add(n, std::memory_order_relaxed);
  }
}

}  // namespace traceproof
