#include "report/waterfall_layout.h"

#include <algorithm>

#include "checks/critical_path.h"
#include "store/trace_shape.h"

namespace traceproof {
namespace {

std::vector<bool> Mask(std::size_t n, const std::vector<std::size_t>& indexes) {
  std::vector<bool> mask(n, false);
  for (std::size_t i : indexes)
    if (i < n) mask[i] = true;
  return mask;
}

// Depth-first rows from every root, then every orphan, then whatever a parent cycle hid;
// iterative so a hostile, very deep trace cannot overflow the stack.
std::vector<WaterfallRow> TreeOrder(const Trace& trace, const TraceShape& shape) {
  const std::size_t n = trace.spans.size();
  std::vector<bool> visited(n, false);
  std::vector<WaterfallRow> rows;
  auto walk = [&](std::size_t start) {
    std::vector<std::pair<std::size_t, int>> stack{{start, 0}};
    while (!stack.empty()) {
      auto [i, depth] = stack.back();
      stack.pop_back();
      if (visited[i]) continue;
      visited[i] = true;
      WaterfallRow row;
      row.span = i;
      row.depth = depth;
      rows.push_back(std::move(row));
      const auto& kids = shape.children[i];
      for (auto k = kids.rbegin(); k != kids.rend(); ++k) stack.push_back({*k, depth + 1});
    }
  };
  for (std::size_t r : shape.roots) walk(r);
  for (std::size_t o : shape.orphans) walk(o);
  for (std::size_t i = 0; i < n; ++i) {
    if (visited[i]) continue;
    const std::size_t first = rows.size();
    walk(i);
    for (std::size_t k = first; k < rows.size(); ++k) rows[k].cycle = true;
  }
  return rows;
}

// Which rows a bounded waterfall keeps: the critical path in walk order (the root, then the
// span that ended last, ...), then every other row with a finding, each with its ancestors,
// then the others in tree order while there is room.
std::vector<WaterfallRow> Bound(std::vector<WaterfallRow> rows, const Trace& trace,
                                const TraceShape& shape, const std::vector<std::size_t>& path,
                                std::size_t max_rows) {
  if (rows.size() <= max_rows) return rows;
  std::vector<bool> keep(trace.spans.size(), false);
  std::size_t kept = 0;
  auto mark = [&](std::size_t i) {
    for (std::size_t s = i; s != TraceShape::kNone && !keep[s] && kept < max_rows;
         s = shape.parent[s]) {
      keep[s] = true;
      ++kept;
    }
  };
  for (std::size_t i : path) mark(i);
  for (const WaterfallRow& r : rows) {
    const bool finding = r.orphan || r.extra_root || r.duplicate || r.skewed || r.cycle ||
                         trace.spans[r.span].status == StatusCode::kError;
    if (finding) mark(r.span);
  }
  for (const WaterfallRow& r : rows)
    if (kept < max_rows && !keep[r.span]) keep[r.span] = true, ++kept;
  std::vector<WaterfallRow> out;
  for (WaterfallRow& r : rows)
    if (keep[r.span]) out.push_back(std::move(r));
  return out;
}

}  // namespace

WaterfallLayout LayOutWaterfall(const Trace& trace, std::size_t max_rows) {
  WaterfallLayout layout;
  if (trace.spans.empty()) return layout;
  const TraceShape shape = AnalyzeTrace(trace);
  const std::size_t n = trace.spans.size();
  const std::vector<std::size_t> path = CriticalPath(trace, shape);
  const std::vector<bool> critical = Mask(n, path);
  const std::vector<bool> orphan = Mask(n, shape.orphans);
  const std::vector<bool> duplicate = Mask(n, shape.duplicates);
  const std::vector<bool> skewed = Mask(n, shape.skewed);
  std::vector<WaterfallRow> rows = TreeOrder(trace, shape);
  for (WaterfallRow& r : rows) {
    r.critical = critical[r.span];
    r.orphan = orphan[r.span];
    r.extra_root = shape.roots.size() > 1 && trace.spans[r.span].IsRoot();
    r.duplicate = duplicate[r.span];
    r.skewed = skewed[r.span];
    r.gaps = SpanGaps(trace, shape, r.span);
  }
  layout.rows = Bound(std::move(rows), trace, shape, path, std::max<std::size_t>(max_rows, 1));
  layout.hidden = n - layout.rows.size();
  layout.start_ns = INT64_MAX;
  layout.end_ns = INT64_MIN;
  for (const WaterfallRow& r : layout.rows) {
    layout.start_ns =
        std::min(layout.start_ns, static_cast<std::int64_t>(trace.spans[r.span].start_unix_ns));
    layout.end_ns =
        std::max(layout.end_ns, static_cast<std::int64_t>(trace.spans[r.span].end_unix_ns));
  }
  return layout;
}

}  // namespace traceproof
