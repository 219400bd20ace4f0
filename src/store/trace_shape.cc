#include "store/trace_shape.h"

#include <algorithm>
#include <unordered_map>

namespace traceproof {

TraceShape AnalyzeTrace(const Trace& trace) {
  const auto& spans = trace.spans;
  TraceShape shape;
  shape.children.resize(spans.size());
  shape.parent.assign(spans.size(), TraceShape::kNone);

  std::unordered_map<SpanId, std::size_t, IdHash> by_id;
  by_id.reserve(spans.size());
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (!by_id.emplace(spans[i].span_id, i).second) shape.duplicates.push_back(i);
  }
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const SpanView& s = spans[i];
    if (s.IsRoot()) {
      shape.roots.push_back(i);
      continue;
    }
    auto it = by_id.find(s.parent_span_id);
    if (it == by_id.end() || it->second == i) {
      shape.orphans.push_back(i);
      continue;
    }
    shape.parent[i] = it->second;
    shape.children[it->second].push_back(i);
    const SpanView& p = spans[it->second];
    if (s.start_unix_ns < p.start_unix_ns || s.end_unix_ns > p.end_unix_ns)
      shape.skewed.push_back(i);
  }
  for (auto& kids : shape.children) {
    std::sort(kids.begin(), kids.end(), [&](std::size_t a, std::size_t b) {
      return spans[a].start_unix_ns < spans[b].start_unix_ns;
    });
  }
  return shape;
}

}  // namespace traceproof
