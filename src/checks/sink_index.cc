#include "checks/sink_index.h"

#include <algorithm>

namespace traceproof::checks {

const SinkTraceFacts& SinkIndex::Add(const Trace& trace) {
  SinkTraceFacts& facts = traces_.Touch(trace.id, trace.last_seen);
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
  return facts;
}

const SinkTraceFacts* SinkIndex::Find(const TraceId& id) const {
  const SinkTraceFacts* facts = traces_.Find(id);
  return facts && facts->spans > 0 ? facts : nullptr;
}

const SinkTraceFacts* SinkIndex::Claim(const TraceId& id, std::uint64_t request_id) {
  // A trace not at the sink yet keeps the claim for when it arrives (a batch judge, fed every
  // trace first, would have seen it): an empty entry, forgotten like any other.
  SinkTraceFacts& facts = traces_.Get(id);
  facts.claimed_by.push_back(request_id);
  return facts.spans > 0 ? &facts : nullptr;
}

bool SinkIndex::HasSpan(const TraceId& trace, const SpanId& span) const {
  const SinkTraceFacts* facts = Find(trace);
  return facts &&
         std::find(facts->span_ids.begin(), facts->span_ids.end(), span) != facts->span_ids.end();
}

}  // namespace traceproof::checks
