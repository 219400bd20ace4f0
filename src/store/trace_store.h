// The sink's memory: assembles received spans into traces by trace id, decides when a trace is
// complete (no new span for `quiet_period`), and stays within a memory bound. Children that
// arrive before their parent simply wait in the same trace; whatever parent is still missing
// when the trace completes makes an orphan. When full it first evicts completed traces, oldest
// completion first, and refuses new spans only when nothing completed is left to evict; every
// eviction and refusal is counted.
//
// Thread-safe: receivers call Consume() concurrently (traces are sharded by id, one lock per
// shard); one sweeper calls CollectCompleted(). Completed traces are handed out as immutable
// snapshots; a span arriving later reopens a copy, which completes (and is handed out) again as
// an update (Trace::IsUpdate, its late spans from new_from). The ids of evicted traces are
// remembered (bounded), so a span arriving for one makes an update too, not a new trace whose
// parent is "missing".
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
  // How many evicted trace ids are remembered (so a late span for one is an update); ~50 bytes
  // each.
  std::size_t max_evicted_ids = 1'000'000;
  std::size_t shards = 16;
  // Forget each trace as soon as CollectCompleted hands it out (its id is remembered as an
  // evicted one, so a late span makes an update): for a reader that keeps what it needs of
  // every trace (the streaming checks of `traceproof run`), so the store holds only open traces.
  bool release_collected = false;
  std::function<Clock::time_point()> clock = [] { return Clock::now(); };
};

// Monotonic counters; read them at any time from any thread.
struct TraceStoreCounters {
  std::atomic<std::uint64_t> spans_accepted{0};
  std::atomic<std::uint64_t> spans_refused_full{0};
  std::atomic<std::uint64_t> batches_refused_full{0};
  std::atomic<std::uint64_t> traces_started{0};
  std::atomic<std::uint64_t> traces_completed{0};
  std::atomic<std::uint64_t> update_records{0};  // completions of traces handed out before
  std::atomic<std::uint64_t> late_spans{0};      // the new spans those updates hand out
  std::atomic<std::uint64_t> evicted_traces{0};
  std::atomic<std::uint64_t> evicted_spans{0};
  // With release_collected: traces (and their spans) let go once handed out; not a loss.
  std::atomic<std::uint64_t> released_traces{0};
  std::atomic<std::uint64_t> released_spans{0};
  // Shape findings of every trace as it stands after its latest completion: a parent that
  // arrives late takes back the orphan its child was counted as. An update of an evicted trace
  // is not counted (its earlier spans are gone; readers fold it into the trace).
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
  const TraceStoreOptions& options() const { return options_; }
  std::size_t span_count() const { return span_count_.load(std::memory_order_relaxed); }
  std::size_t trace_count() const { return trace_count_.load(std::memory_order_relaxed); }

 private:
  // What the shape counters hold for one trace, so a later completion adds only the change.
  struct ShapeCount {
    std::int64_t orphans = 0, duplicates = 0, skewed = 0, multi_root = 0, rootless = 0;
  };
  struct Entry {
    std::shared_ptr<Trace> trace;  // mutable while open
    bool completed = false;
    ShapeCount counted;
  };
  using TraceMap = std::unordered_map<TraceId, Entry, IdHash>;
  struct Shard {
    std::mutex mu;
    TraceMap traces;
    // Sweeps visit only open traces: scanning every stored trace each tick once cost more
    // than ingest itself.
    std::vector<TraceId> open;
    std::deque<TraceId> completed_order;  // eviction order; may hold ids already gone
    // Traces evicted after being handed out, oldest first, at most evicted_ids_per_shard.
    std::unordered_map<TraceId, bool, IdHash> evicted;
    std::deque<TraceId> evicted_order;
  };

  Shard& ShardFor(const TraceId& id) { return shards_[IdHash{}(id) % shards_.size()]; }
  bool MakeRoom(std::size_t spans, std::size_t traces);
  void RememberEvicted(Shard& shard, const TraceId& id);
  void CountShape(const std::shared_ptr<Trace>& trace);
  // Under the shard's lock: erases a stored trace, remembers its id as evicted and returns its
  // span count; the callers count why (evicted for room, or released once handed out).
  std::size_t Forget(Shard& shard, TraceMap::iterator it);
  // Forgets a trace just handed out (release_collected).
  void Release(Shard& shard, const TraceId& id);

  TraceStoreOptions options_;
  std::vector<Shard> shards_;
  std::atomic<std::size_t> span_count_{0};
  std::atomic<std::size_t> trace_count_{0};
  std::mutex evict_mu_;  // one evictor at a time, so two receivers do not over-evict
  TraceStoreCounters counters_;
};

}  // namespace traceproof
