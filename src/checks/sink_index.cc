#include "checks/sink_index.h"

#include <algorithm>

namespace traceproof::checks {

void SinkIndex::Add(const Trace& trace) {
  SinkTraceFacts& facts = traces_[trace.id];
  const std::size_t from = trace.IsUpdate() ? trace.new_from : 0;
  for (std::size_t i = from; i < trace.spans.size(); ++i) {
    const SpanView& s = trace.spans[i];
    ++facts.spans;
    ++spans_;
    span_ids_.insert(s.span_id);
    if (!s.IsRoot()) continue;
    ++facts.roots;
    if (s.kind == SpanKind::kServer &&
        std::find(entry_.begin(), entry_.end(), s.service_name) != entry_.end())
      facts.entry_root = true;
  }
}

const SinkTraceFacts* SinkIndex::Find(const TraceId& id) const {
  const auto it = traces_.find(id);
  return it == traces_.end() ? nullptr : &it->second;
}

}  // namespace traceproof::checks
