#include "sink/trace_sweeper.h"

namespace traceproof {

TraceSweeper::TraceSweeper(TraceStore& store, TraceSweeperOptions options)
    : store_(store), options_(options), thread_([this] { Sweep(); }) {}

TraceSweeper::~TraceSweeper() { Stop(); }

void TraceSweeper::Sweep() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, options_.every, [this] { return stopping_; });
    lock.unlock();
    Collect(false);
    lock.lock();
  }
}

void TraceSweeper::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
  Collect(true);
}

void TraceSweeper::Collect(bool force) {
  const auto traces = store_.CollectCompleted(force);
  if (options_.on_traces && !traces.empty()) options_.on_traces(traces);
  traces_collected_.fetch_add(traces.size(), std::memory_order_relaxed);
  if (options_.on_sweep) options_.on_sweep();
}

}  // namespace traceproof
