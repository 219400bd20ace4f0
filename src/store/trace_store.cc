#include "store/trace_store.h"

#include <algorithm>

#include "store/trace_shape.h"

namespace traceproof {

TraceStore::TraceStore(TraceStoreOptions options)
    : options_(std::move(options)), shards_(std::max<std::size_t>(1, options_.shards)) {}

ConsumeResult TraceStore::Consume(SpanBatch batch) noexcept {
  const std::size_t n = batch.spans.size();
  if (n == 0) return {ConsumeStatus::kAccepted, 0};
  // A batch is taken whole or not at all, so a 429 tells the client exactly what to resend.
  // Counting the batch's spans as possibly-new traces keeps the check cheap and conservative.
  if (span_count_.load(std::memory_order_relaxed) + n > options_.max_spans ||
      trace_count_.load(std::memory_order_relaxed) + n > options_.max_traces) {
    if (!MakeRoom(n, n)) {
      counters_.batches_refused_full.fetch_add(1, std::memory_order_relaxed);
      counters_.spans_refused_full.fetch_add(n, std::memory_order_relaxed);
      return {ConsumeStatus::kStoreFull, 0};
    }
  }
  const Clock::time_point now = options_.clock();
  std::uint64_t started = 0;
  for (const SpanView& span : batch.spans) {
    Shard& shard = ShardFor(span.trace_id);
    std::lock_guard lock(shard.mu);
    auto [it, inserted] = shard.traces.try_emplace(span.trace_id);
    Entry& entry = it->second;
    if (inserted) {
      entry.trace = std::make_shared<Trace>();
      entry.trace->id = span.trace_id;
      entry.trace->first_seen = now;
      // Its first spans were handed out and evicted: these continue that trace.
      entry.trace->follows_evicted = shard.evicted.erase(span.trace_id) > 0;
      shard.open.push_back(span.trace_id);
      ++started;
    } else if (entry.completed) {
      // Never touch a trace that readers hold: reopen a copy that will complete again.
      entry.trace = std::make_shared<Trace>(*entry.trace);
      entry.completed = false;
      shard.open.push_back(span.trace_id);
    }
    Trace& trace = *entry.trace;
    trace.spans.push_back(span);
    trace.last_seen = now;
    if (trace.buffers.empty() || trace.buffers.back() != batch.bytes)
      trace.buffers.push_back(batch.bytes);
  }
  span_count_.fetch_add(n, std::memory_order_relaxed);
  trace_count_.fetch_add(started, std::memory_order_relaxed);
  counters_.spans_accepted.fetch_add(n, std::memory_order_relaxed);
  counters_.traces_started.fetch_add(started, std::memory_order_relaxed);
  return {ConsumeStatus::kAccepted, n};
}

void TraceStore::RememberEvicted(Shard& shard, const TraceId& id) {
  const std::size_t cap = std::max<std::size_t>(1, options_.max_evicted_ids / shards_.size());
  if (!shard.evicted.emplace(id, true).second) return;
  shard.evicted_order.push_back(id);
  while (shard.evicted_order.size() > cap) {
    shard.evicted.erase(shard.evicted_order.front());  // may be gone already: an update came
    shard.evicted_order.pop_front();
  }
}

bool TraceStore::MakeRoom(std::size_t spans, std::size_t traces) {
  std::lock_guard evict_lock(evict_mu_);
  auto fits = [&] {
    return span_count_.load() + spans <= options_.max_spans &&
           trace_count_.load() + traces <= options_.max_traces;
  };
  // Round-robin over shards so eviction is spread instead of emptying shard 0 first.
  bool progress = true;
  while (!fits() && progress) {
    progress = false;
    for (Shard& shard : shards_) {
      if (fits()) break;
      std::lock_guard lock(shard.mu);
      while (!shard.completed_order.empty()) {
        TraceId id = shard.completed_order.front();
        shard.completed_order.pop_front();
        auto it = shard.traces.find(id);
        if (it == shard.traces.end() || !it->second.completed) continue;  // stale or reopened
        const std::size_t n = Forget(shard, it);
        counters_.evicted_traces.fetch_add(1, std::memory_order_relaxed);
        counters_.evicted_spans.fetch_add(n, std::memory_order_relaxed);
        progress = true;
        break;
      }
    }
  }
  return fits();
}

std::shared_ptr<const Trace> TraceStore::Peek(const TraceId& id) {
  Shard& shard = ShardFor(id);
  std::lock_guard lock(shard.mu);
  const auto it = shard.traces.find(id);
  if (it == shard.traces.end()) return nullptr;
  if (it->second.completed) return it->second.trace;
  return std::make_shared<const Trace>(*it->second.trace);
}

std::vector<std::shared_ptr<const Trace>> TraceStore::CollectCompleted(bool force) {
  const Clock::time_point now = options_.clock();
  std::vector<std::shared_ptr<Trace>> done;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    for (std::size_t i = 0; i < shard.open.size();) {
      const TraceId id = shard.open[i];
      Entry& entry = shard.traces.at(id);  // open traces are never evicted
      if (!force && now - entry.trace->last_seen < options_.quiet_period) {
        ++i;
        continue;
      }
      entry.completed = true;
      Trace& trace = *entry.trace;
      // What earlier completions handed out (a reopened copy remembers) is not new again.
      trace.new_from = trace.handed_out;
      trace.handed_out = trace.spans.size();
      ++trace.times_completed;
      done.push_back(entry.trace);
      shard.open[i] = shard.open.back();
      shard.open.pop_back();
      if (options_.release_collected) {
        Release(shard, id);
      } else {
        shard.completed_order.push_back(id);
      }
    }
  }
  std::sort(done.begin(), done.end(),
            [](const auto& a, const auto& b) { return a->first_seen < b->first_seen; });
  std::uint64_t updates = 0, late = 0;
  for (const auto& trace : done) {
    if (trace->IsUpdate()) ++updates, late += trace->NewSpanCount();
    if (!trace->follows_evicted) CountShape(trace);
  }
  counters_.traces_completed.fetch_add(done.size(), std::memory_order_relaxed);
  counters_.update_records.fetch_add(updates, std::memory_order_relaxed);
  counters_.late_spans.fetch_add(late, std::memory_order_relaxed);
  return {done.begin(), done.end()};
}

std::size_t TraceStore::Forget(Shard& shard, TraceMap::iterator it) {
  const TraceId id = it->first;
  const std::size_t n = it->second.trace->spans.size();
  shard.traces.erase(it);
  RememberEvicted(shard, id);
  span_count_.fetch_sub(n);
  trace_count_.fetch_sub(1);
  return n;
}

void TraceStore::Release(Shard& shard, const TraceId& id) {
  const std::size_t n = Forget(shard, shard.traces.find(id));
  counters_.released_traces.fetch_add(1, std::memory_order_relaxed);
  counters_.released_spans.fetch_add(n, std::memory_order_relaxed);
}

void TraceStore::CountShape(const std::shared_ptr<Trace>& trace) {
  // Analyzed outside the shard's lock (receivers wait on it); only the bookkeeping goes inside.
  const TraceShape shape = AnalyzeTrace(*trace);
  const ShapeCount now{.orphans = static_cast<std::int64_t>(shape.orphans.size()),
                       .duplicates = static_cast<std::int64_t>(shape.duplicates.size()),
                       .skewed = static_cast<std::int64_t>(shape.skewed.size()),
                       .multi_root = shape.roots.size() > 1 ? 1 : 0,
                       .rootless = shape.roots.empty() ? 1 : 0};
  ShapeCount before;
  {
    Shard& shard = ShardFor(trace->id);
    std::lock_guard lock(shard.mu);
    const auto it = shard.traces.find(trace->id);
    if (it != shard.traces.end()) {
      before = it->second.counted;
      it->second.counted = now;
    }
  }
  // Counters only move by the change, so a late parent takes its child's orphan back (the
  // unsigned add wraps to a subtraction).
  auto add = [](std::atomic<std::uint64_t>& counter, std::int64_t delta) {
    if (delta != 0) counter.fetch_add(static_cast<std::uint64_t>(delta), std::memory_order_relaxed);
  };
  add(counters_.orphan_spans, now.orphans - before.orphans);
  add(counters_.duplicate_span_ids, now.duplicates - before.duplicates);
  add(counters_.skewed_spans, now.skewed - before.skewed);
  add(counters_.multi_root_traces, now.multi_root - before.multi_root);
  add(counters_.rootless_traces, now.rootless - before.rootless);
}

}  // namespace traceproof
