#include "tracing/in_memory_exporter.h"

#include <utility>

namespace traceproof {

ExportResult InMemoryExporter::Export(const std::vector<FinishedSpan>& batch) noexcept {
  std::unique_lock lock(mu_);
  ++calls_;
  batch_sizes_.push_back(batch.size());
  cv_.notify_all();  // for WaitForCalls
  cv_.wait(lock, [&] { return !blocked_ || shutdown_calls_ > 0; });
  ExportResult result;
  if (shutdown_calls_ > 0) {
    result.kind = ExportResult::Kind::kFailed;
    result.message = "exporter is shut down";
    return result;
  }
  if (!script_.empty()) {
    result = std::move(script_.front());
    script_.pop_front();
  }
  if (result.kind == ExportResult::Kind::kSuccess)
    spans_.insert(spans_.end(), batch.begin(), batch.end());
  return result;
}

void InMemoryExporter::Shutdown() noexcept {
  {
    std::lock_guard lock(mu_);
    ++shutdown_calls_;
  }
  cv_.notify_all();
}

void InMemoryExporter::ScriptResults(std::vector<ExportResult> results) {
  std::lock_guard lock(mu_);
  for (ExportResult& r : results) script_.push_back(std::move(r));
}

void InMemoryExporter::SetBlocked(bool blocked) {
  {
    std::lock_guard lock(mu_);
    blocked_ = blocked;
  }
  cv_.notify_all();
}

bool InMemoryExporter::WaitForCalls(std::size_t calls, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return calls_ >= calls; });
}

std::vector<FinishedSpan> InMemoryExporter::spans() const {
  std::lock_guard lock(mu_);
  return spans_;
}

std::vector<std::size_t> InMemoryExporter::batch_sizes() const {
  std::lock_guard lock(mu_);
  return batch_sizes_;
}

std::size_t InMemoryExporter::export_calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

int InMemoryExporter::shutdown_calls() const {
  std::lock_guard lock(mu_);
  return shutdown_calls_;
}

void InMemoryExporter::Clear() {
  std::lock_guard lock(mu_);
  spans_.clear();
  batch_sizes_.clear();
}

}  // namespace traceproof
