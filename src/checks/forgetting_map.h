// A map from trace id to what a check keeps of that trace, which forgets an entry once a bound
// has passed since the entry was last touched, on the sink's clock (the traces' last_seen
// times, passed in): the checks' memory of recent traces in a long run, so it holds the last
// `forget_after` of traces whatever the run's length. Without a bound (a batch judge, or a run
// that judges at its end) it keeps everything. Header-only template; not thread-safe (one
// tally's).
#pragma once

#include <algorithm>
#include <chrono>
#include <deque>
#include <optional>
#include <unordered_map>
#include <utility>

#include "otlp/ids.h"
#include "store/trace.h"

namespace traceproof::checks {

template <typename Value>
class ForgettingMap {
 public:
  explicit ForgettingMap(std::optional<std::chrono::nanoseconds> forget_after)
      : forget_after_(forget_after) {}

  // The entry for `id` (made if new), touched at `seen` (the clock only moves forward: an
  // earlier time counts as the latest seen so far). Forgets what is due first, never `id`.
  Value& Touch(const TraceId& id, Clock::time_point seen) {
    now_ = std::max(now_, seen);
    Entry& entry = entries_[id];  // a reference into a node map: forgetting others keeps it
    if (!forget_after_) return entry.value;
    entry.seen = now_;
    order_.emplace_back(now_, id);
    Forget();
    return entry.value;
  }
  // The entry for `id` without touching it (made if new, at the latest time seen).
  Value& Get(const TraceId& id) {
    const auto [it, added] = entries_.try_emplace(id);
    if (added && forget_after_) {
      it->second.seen = now_;
      order_.emplace_back(now_, id);
    }
    return it->second.value;
  }
  const Value* Find(const TraceId& id) const {
    const auto it = entries_.find(id);
    return it == entries_.end() ? nullptr : &it->second.value;
  }
  Value* Find(const TraceId& id) {
    const auto it = entries_.find(id);
    return it == entries_.end() ? nullptr : &it->second.value;
  }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Value value{};
    Clock::time_point seen{};
  };
  void Forget() {
    const Clock::time_point before = now_ - *forget_after_;
    while (!order_.empty() && order_.front().first < before) {
      const auto [seen, id] = order_.front();
      order_.pop_front();
      const auto it = entries_.find(id);
      // Touched again since: a later entry in order_ forgets it.
      if (it != entries_.end() && it->second.seen == seen) entries_.erase(it);
    }
  }

  std::optional<std::chrono::nanoseconds> forget_after_;
  std::unordered_map<TraceId, Entry, IdHash> entries_;
  // (time touched, id) in the order of touching.
  std::deque<std::pair<Clock::time_point, TraceId>> order_;
  Clock::time_point now_{};
};

}  // namespace traceproof::checks
