#include "checks/sink_index.h"

#include <algorithm>

namespace traceproof::checks {

const SinkTraceFacts& SinkIndex::Add(const Trace& trace) {
  SinkTraceFacts& facts = traces_[trace.id];
  const std::size_t from = trace.IsUpdate() ? trace.new_from : 0;
  const std::vector<std::string>& entry = options_.load_entry_services;
  for (std::size_t i = from; i < trace.spans.size(); ++i) {
    const SpanView& s = trace.spans[i];
    ++facts.spans;
    ++spans_;
    if (options_.span_ids) facts.span_ids.push_back(s.span_id);
    if (!s.IsRoot()) continue;
    ++facts.roots;
    if (s.kind == SpanKind::kServer &&
        std::find(entry.begin(), entry.end(), s.service_name) != entry.end())
      facts.entry_root = true;
  }
  if (!options_.forget_after) return facts;
  const Clock::time_point seen = trace.last_seen;
  last_seen_[trace.id] = seen;
  order_.emplace_back(seen, trace.id);
  now_ = std::max(now_, seen);
  // Forgetting cannot touch this trace: it was just seen, at or after now_ - forget_after.
  Forget(now_);
  return facts;
}

void SinkIndex::Forget(Clock::time_point now) {
  const Clock::time_point before = now - *options_.forget_after;
  while (!order_.empty() && order_.front().first < before) {
    const auto [seen, id] = order_.front();
    order_.pop_front();
    const auto it = last_seen_.find(id);
    if (it == last_seen_.end() || it->second != seen) continue;  // seen again since
    last_seen_.erase(it);
    traces_.erase(id);
  }
}

const SinkTraceFacts* SinkIndex::Find(const TraceId& id) const {
  const auto it = traces_.find(id);
  return it == traces_.end() || it->second.spans == 0 ? nullptr : &it->second;
}

const SinkTraceFacts* SinkIndex::Claim(const TraceId& id, std::uint64_t request_id) {
  // A trace not at the sink yet keeps the claim for when it arrives (a batch judge, fed every
  // trace first, would have seen it): an empty entry, forgotten like any other.
  const auto [it, added] = traces_.try_emplace(id);
  it->second.claimed_by.push_back(request_id);
  if (added && options_.forget_after) {
    last_seen_[id] = now_;
    order_.emplace_back(now_, id);
  }
  return it->second.spans == 0 ? nullptr : &it->second;
}

bool SinkIndex::HasSpan(const TraceId& trace, const SpanId& span) const {
  const SinkTraceFacts* facts = Find(trace);
  return facts &&
         std::find(facts->span_ids.begin(), facts->span_ids.end(), span) != facts->span_ids.end();
}

}  // namespace traceproof::checks
