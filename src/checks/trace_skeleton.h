// A trace reduced to what the structure check judges its shape by: each span's id, its parent's
// id, and whether it matches the check's selector and its related selector. Small enough to keep
// for a while after the trace completes, so late spans (an update record) are judged together
// with the spans that came before them, as a batch judge of the whole trace would, instead of
// leaving a parent that came late counted as an orphan, or a late orphan not counted at all.
// Plain data and pure functions; internal to the checks library.
#pragma once

#include <cstdint>
#include <vector>

#include "checks/structure_spec.h"
#include "otlp/ids.h"

namespace traceproof::checks {

struct SkeletonSpan {
  SpanId id;
  SpanId parent;  // all zero: a root
  bool selected = false;
  bool related = false;
};

// What one trace's shape showed the structure check, so a later judgment of the same trace
// (with its late spans) can take it back and count the new one instead.
struct ShapeVerdict {
  std::uint64_t relation_violations = 0;  // selected spans whose related count fails
  bool orphaned = false;
  bool multi_root = false;  // not exactly one root
  bool any_selected = false;
};

// `holds(n)`: whether a selected span with n related spans satisfies the check's count.
template <typename Holds>
ShapeVerdict JudgeSkeleton(const std::vector<SkeletonSpan>& spans, Relation relation,
                           const Holds& holds);

// The tree of `spans` by index: children and parent (kNoParent for roots and orphans), and
// the counts of roots and orphans (a parent id that is not in the trace), as AnalyzeTrace
// (store/trace_shape.h) finds them from the same ids.
struct SkeletonTree {
  static constexpr std::size_t kNoParent = static_cast<std::size_t>(-1);
  std::vector<std::vector<std::size_t>> children;
  std::vector<std::size_t> parent;
  std::size_t roots = 0, orphans = 0;
};
SkeletonTree TreeOf(const std::vector<SkeletonSpan>& spans);

// The number of spans related to spans[i] in `tree` (children, descendants or its parent) that
// match the related selector.
std::uint64_t RelatedCount(const std::vector<SkeletonSpan>& spans, const SkeletonTree& tree,
                           std::size_t i, Relation relation);

template <typename Holds>
ShapeVerdict JudgeSkeleton(const std::vector<SkeletonSpan>& spans, Relation relation,
                           const Holds& holds) {
  ShapeVerdict v;
  const SkeletonTree tree = TreeOf(spans);
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (!spans[i].selected) continue;
    v.any_selected = true;
    if (relation != Relation::kNone && !holds(RelatedCount(spans, tree, i, relation)))
      ++v.relation_violations;
  }
  v.orphaned = tree.orphans > 0;
  v.multi_root = tree.roots != 1;
  return v;
}

}  // namespace traceproof::checks
