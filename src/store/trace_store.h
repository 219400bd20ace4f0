// The sink's memory: assembles received spans into traces by trace id, decides when a trace is
// complete (no new span for `quiet_period`), and stays within a memory bound. Children that
// arrive before their parent simply wait in the same trace; whatever parent is still missing
// when the trace completes makes an orphan. When full it first evicts completed traces, oldest
// completion first, and refuses new spans only when nothing completed is left to evict; every
// eviction and refusal is counted.
//
// Thread-safe: receivers call Consume() concurrently (traces are sharded by id, one lock per
// shard); one sweeper calls CollectCompleted(). Completed traces are handed out as immutable
// snapshots; a span arriving later reopens a copy, which completes (and is handed out) again.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "store/span_consumer.h"
#include "store/trace.h"

namespace traceproof {

struct TraceStoreOptions {
  std::size_t max_spans = 4'000'000;
  std::size_t max_traces = 1'000'000;
  std::chrono::milliseconds quiet_period{2000};
  std::size_t shards = 16;
  std::function<Clock::time_point()> clock = [] { return Clock::now(); };
};

// Monotonic counters; read them at any time from any thread.
struct TraceStoreCounters {
  std::atomic<std::uint64_t> spans_accepted{0};
  std::atomic<std::uint64_t> spans_refused_full{0};
  std::atomic<std::uint64_t> batches_refused_full{0};
  std::atomic<std::uint64_t> traces_started{0};
  std::atomic<std::uint64_t> traces_completed{0};
  std::atomic<std::uint64_t> late_spans{0};  // arrived after their trace had completed
  std::atomic<std::uint64_t> evicted_traces{0};
  std::atomic<std::uint64_t> evicted_spans{0};
  // Shape findings, counted once per completion of a trace.
  std::atomic<std::uint64_t> orphan_spans{0};
  std::atomic<std::uint64_t> multi_root_traces{0};
  std::atomic<std::uint64_t> rootless_traces{0};
  std::atomic<std::uint64_t> duplicate_span_ids{0};
  std::atomic<std::uint64_t> skewed_spans{0};
};

class TraceStore final : public SpanConsumer {
 public:
  explicit TraceStore(TraceStoreOptions options = {});

  ConsumeResult Consume(SpanBatch batch) noexcept override;

  // Traces that have been quiet for quiet_period, oldest first; each is returned once per
  // completion. `force` completes everything still open (for the end of a run).
  std::vector<std::shared_ptr<const Trace>> CollectCompleted(bool force = false);
  // The trace as it stands now (a copy while it is still open), or null: for a look at part
  // of a run while it goes on, without completing anything.
  std::shared_ptr<const Trace> Peek(const TraceId& id);

  const TraceStoreCounters& counters() const { return counters_; }
  std::size_t span_count() const { return span_count_.load(std::memory_order_relaxed); }
  std::size_t trace_count() const { return trace_count_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    std::shared_ptr<Trace> trace;  // mutable while open
    bool completed = false;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<TraceId, Entry, IdHash> traces;
    // Sweeps visit only open traces: scanning every stored trace each tick once cost more
    // than ingest itself.
    std::vector<TraceId> open;
    std::deque<TraceId> completed_order;  // eviction order; may hold ids already gone
  };

  Shard& ShardFor(const TraceId& id) { return shards_[IdHash{}(id) % shards_.size()]; }
  bool MakeRoom(std::size_t spans, std::size_t traces);
  void CountShape(const Trace& trace);

  TraceStoreOptions options_;
  std::vector<Shard> shards_;
  std::atomic<std::size_t> span_count_{0};
  std::atomic<std::size_t> trace_count_{0};
  std::mutex evict_mu_;  // one evictor at a time, so two receivers do not over-evict
  TraceStoreCounters counters_;
};

}  // namespace traceproof
