#include "checks/trace_skeleton.h"

#include <unordered_map>

namespace traceproof::checks {

SkeletonTree TreeOf(const std::vector<SkeletonSpan>& spans) {
  SkeletonTree tree;
  tree.children.resize(spans.size());
  tree.parent.assign(spans.size(), SkeletonTree::kNoParent);
  std::unordered_map<SpanId, std::size_t, IdHash> by_id;
  by_id.reserve(spans.size());
  for (std::size_t i = 0; i < spans.size(); ++i) by_id.emplace(spans[i].id, i);
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (!spans[i].parent.IsValid()) {
      ++tree.roots;
      continue;
    }
    const auto it = by_id.find(spans[i].parent);
    if (it == by_id.end() || it->second == i) {
      ++tree.orphans;
      continue;
    }
    tree.parent[i] = it->second;
    tree.children[it->second].push_back(i);
  }
  return tree;
}

std::uint64_t RelatedCount(const std::vector<SkeletonSpan>& spans, const SkeletonTree& tree,
                           std::size_t i, Relation relation) {
  const std::vector<std::vector<std::size_t>>& children = tree.children;
  switch (relation) {
    case Relation::kChild: {
      std::uint64_t n = 0;
      for (std::size_t c : children[i]) n += spans[c].related ? 1 : 0;
      return n;
    }
    case Relation::kDescendant: {
      std::uint64_t n = 0;
      std::vector<std::size_t> stack(children[i].begin(), children[i].end());
      std::vector<bool> seen(spans.size(), false);  // guards against id cycles
      while (!stack.empty()) {
        const std::size_t d = stack.back();
        stack.pop_back();
        if (seen[d]) continue;
        seen[d] = true;
        n += spans[d].related ? 1 : 0;
        stack.insert(stack.end(), children[d].begin(), children[d].end());
      }
      return n;
    }
    case Relation::kParent: {
      const std::size_t p = tree.parent[i];
      return p != SkeletonTree::kNoParent && spans[p].related ? 1 : 0;
    }
    case Relation::kNone:
      break;
  }
  return 0;
}

}  // namespace traceproof::checks
