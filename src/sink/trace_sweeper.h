// A thread that collects completed traces out of a TraceStore every so often, counts them and
// hands them to a reader if there is one (`traceproof run`'s streaming checks): collected
// traces become evictable, so a long run keeps the store bounded instead of filling it and
// refusing spans. Stop() completes and collects what is still open. Nothing else may call the
// store's CollectCompleted while a sweeper runs on it. Start/Stop from one owning thread;
// traces_collected() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/trace_store.h"

namespace traceproof {

struct TraceSweeperOptions {
  std::chrono::milliseconds every{100};  // between two collections
  // Given every collection (oldest first), on the sweeping thread, then on Stop()'s: never
  // concurrently. May be empty (only counted).
  std::function<void(const std::vector<std::shared_ptr<const Trace>>&)> on_traces;
  // After every collection, traces or none, on the same thread as on_traces (the run hands its
  // ground truth to the checks here). May be empty.
  std::function<void()> on_sweep;
};

class TraceSweeper final {
 public:
  // Starts the thread. `store` must outlive the sweeper.
  explicit TraceSweeper(TraceStore& store, TraceSweeperOptions options = {});
  ~TraceSweeper();  // Stop()
  TraceSweeper(const TraceSweeper&) = delete;
  TraceSweeper& operator=(const TraceSweeper&) = delete;

  // Joins the thread, then completes and collects every trace still open. Stop the receivers
  // that feed the store first, or what they take afterwards stays open. Idempotent.
  void Stop();
  std::uint64_t traces_collected() const {
    return traces_collected_.load(std::memory_order_relaxed);
  }

 private:
  void Sweep();
  // The sweeping thread, then Stop() after joining it, call this: never concurrently.
  void Collect(bool force);

  TraceStore& store_;
  const TraceSweeperOptions options_;
  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by mu_
  std::atomic<std::uint64_t> traces_collected_{0};
  std::thread thread_;  // last: started once everything it uses exists
};

}  // namespace traceproof
