#include "checks/truth_join.h"

#include <algorithm>
#include <numeric>

#include "checks/witness_edges.h"

namespace traceproof::checks {

TruthJoiner::TruthJoiner(TruthJoinOptions options, Release release)
    : options_(options), release_(std::move(release)) {}

TruthJoiner::Held& TruthJoiner::HeldFor(std::uint64_t request_id, Clock::time_point now) {
  auto [it, fresh] = held_.try_emplace(request_id);
  if (fresh) {
    it->second.request.request_id = request_id;
    counts_.held_peak = std::max<std::uint64_t>(counts_.held_peak, held_.size());
  }
  it->second.last = std::max(it->second.last, now);
  return it->second;
}

void TruthJoiner::AddSpan(GroundTruthSpan span, Clock::time_point now) {
  Held& h = HeldFor(span.request_id, now);
  std::vector<std::uint64_t>& holders = by_trace_[span.trace_id];
  if (std::find(holders.begin(), holders.end(), span.request_id) == holders.end())
    holders.push_back(span.request_id);
  if (span.exported) {
    auto& traces = h.exported_traces;
    const bool known = std::any_of(traces.begin(), traces.end(),
                                   [&](const auto& t) { return t.first == span.trace_id; });
    if (!known) {
      const bool completed = early_traces_.contains(span.trace_id);
      traces.emplace_back(span.trace_id, completed);
      h.completed += completed ? 1 : 0;
    }
  }
  if (!span.queue.empty() && span.kind == SpanKind::kProducer) h.published = true;
  h.request.positions.push_back(next_position_++);
  h.request.spans.push_back(std::move(span));
}

void TruthJoiner::AddInbound(InboundRecord record, Clock::time_point now) {
  Held& h = HeldFor(record.request_id, now);
  if (MadeUpRequestId(record)) {
    h.made_up = true;
    made_up_ids_.insert(record.request_id);
  }
  h.request.inbound.push_back(std::move(record));
}

void TruthJoiner::AddTrace(const TraceId& id, Clock::time_point now) {
  bool claimed = false;
  if (const auto it = by_trace_.find(id); it != by_trace_.end()) {
    for (const std::uint64_t request_id : it->second) {
      Held& h = held_.at(request_id);
      for (auto& [trace, completed] : h.exported_traces) {
        if (trace != id) continue;
        claimed = true;
        if (!completed) ++h.completed;
        completed = true;
      }
    }
  }
  // Its truth may still be on its way to the joiner (handed over in chunks).
  if (!claimed) early_traces_[id] = now;
}

bool TruthJoiner::Due(const Held& h, Clock::time_point now, bool& missing) const {
  const auto quiet = now - h.last;
  missing = h.completed < h.exported_traces.size();
  if (h.published) return false;
  if (quiet >= options_.settle + options_.missing_after) return true;
  // A made-up request waits for the request its traces belong to, which takes its spans.
  return !h.made_up && !missing && quiet >= options_.settle;
}

void TruthJoiner::ReleaseDue(Clock::time_point now) {
  std::vector<std::pair<std::uint64_t, bool>> owners, made_up;
  for (const auto& [id, h] : held_) {
    bool missing = false;
    if (Due(h, now, missing)) (h.made_up ? made_up : owners).emplace_back(id, missing);
  }
  // Owners first: a made-up request due at the same time gives them its spans.
  for (const auto& [id, missing] : owners) Hand(id, missing);
  for (const auto& [id, missing] : made_up)
    if (held_.contains(id)) Hand(id, missing);
  std::erase_if(early_traces_, [&](const auto& e) {
    return now - e.second >= options_.settle + options_.missing_after;
  });
}

void TruthJoiner::Flush() {
  // In the order their first records came, owners first, so a batch and a run hand out alike.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> owners, made_up;  // first position, id
  for (const auto& [id, h] : held_) {
    const std::uint64_t first = h.request.positions.empty() ? ~0ull : h.request.positions.front();
    (h.made_up ? made_up : owners).emplace_back(first, id);
  }
  std::sort(owners.begin(), owners.end());
  std::sort(made_up.begin(), made_up.end());
  for (const auto& group : {owners, made_up}) {
    for (const auto& [first, id] : group) {
      const auto it = held_.find(id);
      if (it == held_.end()) continue;
      Hand(id, it->second.completed < it->second.exported_traces.size());
    }
  }
  early_traces_.clear();
}

void TruthJoiner::FoldMadeUp(Held& owner) {
  if (made_up_ids_.empty()) return;
  std::set<TraceId> traces;
  for (const GroundTruthSpan& s : owner.request.spans) traces.insert(s.trace_id);
  bool folded = false;
  for (const TraceId& t : traces) {
    const auto holders = by_trace_.find(t);
    if (holders == by_trace_.end()) continue;
    for (const std::uint64_t id : std::vector<std::uint64_t>(holders->second)) {
      const auto it = held_.find(id);
      if (id == owner.request.request_id || it == held_.end() || !it->second.made_up) continue;
      TruthRequest& from = it->second.request;
      std::vector<GroundTruthSpan> kept;
      std::vector<std::uint64_t> kept_positions;
      for (std::size_t i = 0; i < from.spans.size(); ++i) {
        const bool in_trace = from.spans[i].trace_id == t;
        (in_trace ? owner.request.spans : kept).push_back(std::move(from.spans[i]));
        (in_trace ? owner.request.positions : kept_positions).push_back(from.positions[i]);
      }
      from.spans = std::move(kept);
      from.positions = std::move(kept_positions);
      owner.request.made_up.insert(id);
      std::erase(holders->second, id);
      folded = true;
    }
  }
  if (!folded) return;
  // Back into recording order, as a check reading the whole run would have seen them.
  TruthRequest& r = owner.request;
  std::vector<std::size_t> order(r.spans.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return r.positions[a] < r.positions[b]; });
  std::vector<GroundTruthSpan> spans;
  std::vector<std::uint64_t> positions;
  for (const std::size_t i : order) {
    spans.push_back(std::move(r.spans[i]));
    positions.push_back(r.positions[i]);
  }
  r.spans = std::move(spans);
  r.positions = std::move(positions);
}

void TruthJoiner::Unindex(std::uint64_t request_id, const std::vector<GroundTruthSpan>& spans) {
  for (const GroundTruthSpan& s : spans) {
    const auto it = by_trace_.find(s.trace_id);
    if (it == by_trace_.end()) continue;
    std::erase(it->second, request_id);
    if (it->second.empty()) by_trace_.erase(it);
  }
}

void TruthJoiner::Hand(std::uint64_t request_id, bool missing) {
  auto node = held_.extract(request_id);
  Held& h = node.mapped();
  if (h.made_up) h.request.made_up.insert(request_id);
  if (!h.made_up) FoldMadeUp(h);
  Unindex(request_id, h.request.spans);
  made_up_ids_.erase(request_id);
  h.request.missing = missing;
  ++counts_.released;
  counts_.missing += missing ? 1 : 0;
  release_(h.request);
}

}  // namespace traceproof::checks
