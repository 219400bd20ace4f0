#include "checks/critical_path.h"

#include <algorithm>
#include <map>
#include <utility>

namespace traceproof {

namespace {

struct Walk {
  std::vector<std::size_t> path;
  std::vector<std::int64_t> critical_ns;
};

Walk WalkCriticalPath(const Trace& trace, const TraceShape& shape) {
  Walk walk;
  const auto& spans = trace.spans;
  walk.critical_ns.assign(spans.size(), 0);
  const std::size_t root = CriticalPathRoot(trace, shape);
  if (root == TraceShape::kNone) return walk;

  // Effective intervals: each child clipped to its (clipped) parent, top down.
  std::vector<std::int64_t> begin(spans.size(), 0), end(spans.size(), 0);
  begin[root] = static_cast<std::int64_t>(spans[root].start_unix_ns);
  end[root] = std::max(begin[root], static_cast<std::int64_t>(spans[root].end_unix_ns));
  std::vector<std::size_t> queue{root};
  std::vector<std::vector<std::size_t>> by_end(spans.size());  // children, latest end first
  for (std::size_t q = 0; q < queue.size(); ++q) {
    const std::size_t p = queue[q];
    for (std::size_t c : shape.children[p]) {
      begin[c] = std::max(static_cast<std::int64_t>(spans[c].start_unix_ns), begin[p]);
      end[c] = std::min(static_cast<std::int64_t>(spans[c].end_unix_ns), end[p]);
      if (end[c] <= begin[c]) continue;  // nothing left after clipping: owns no time
      by_end[p].push_back(c);
      queue.push_back(c);
    }
    std::stable_sort(by_end[p].begin(), by_end[p].end(),
                     [&](std::size_t a, std::size_t b) { return end[a] > end[b]; });
  }

  // Iterative so a hostile, very deep trace cannot overflow the stack. The cursor only moves
  // back in time within a span, so each span's candidate children are consumed in order once.
  std::vector<std::size_t> next(spans.size(), 0);
  std::vector<std::size_t> stack;
  std::size_t s = root;
  std::int64_t cursor = end[root];
  walk.path.push_back(root);
  for (;;) {
    const auto& kids = by_end[s];
    while (next[s] < kids.size() && end[kids[next[s]]] > cursor) ++next[s];
    if (next[s] < kids.size()) {
      const std::size_t c = kids[next[s]++];
      walk.critical_ns[s] += cursor - end[c];
      stack.push_back(s);
      s = c;
      cursor = end[c];
      walk.path.push_back(c);
      continue;
    }
    walk.critical_ns[s] += cursor - begin[s];
    if (stack.empty()) break;
    cursor = begin[s];
    s = stack.back();
    stack.pop_back();
  }
  return walk;
}

}  // namespace

std::size_t CriticalPathRoot(const Trace& trace, const TraceShape& shape) {
  std::size_t best = TraceShape::kNone;
  for (std::size_t r : shape.roots) {
    if (best == TraceShape::kNone || trace.spans[r].end_unix_ns > trace.spans[best].end_unix_ns)
      best = r;
  }
  return best;
}

std::vector<std::size_t> CriticalPath(const Trace& trace, const TraceShape& shape) {
  return WalkCriticalPath(trace, shape).path;
}

std::vector<std::int64_t> CriticalTimeNs(const Trace& trace, const TraceShape& shape) {
  return WalkCriticalPath(trace, shape).critical_ns;
}

void AddCriticalOwnerTimes(const Trace& trace, CriticalOwnerKey key, CriticalOwnerTimes& into) {
  const TraceShape shape = AnalyzeTrace(trace);
  const std::vector<std::int64_t> ns = CriticalTimeNs(trace, shape);
  for (std::size_t i = 0; i < ns.size(); ++i) {
    if (ns[i] <= 0) continue;
    const SpanView& s = trace.spans[i];
    into[{std::string(s.service_name),
          key == CriticalOwnerKey::kService ? std::string() : std::string(s.name)}] += ns[i];
  }
}

std::vector<CriticalOwner> RankCriticalOwners(const CriticalOwnerTimes& by_owner) {
  std::int64_t total = 0;
  for (const auto& [owner, ns] : by_owner) total += ns;
  std::vector<CriticalOwner> owners;
  for (const auto& [owner, ns] : by_owner) {
    owners.push_back({owner.first, owner.second, ns,
                      total > 0 ? static_cast<double>(ns) / static_cast<double>(total) : 0});
  }
  std::stable_sort(owners.begin(), owners.end(),
                   [](const CriticalOwner& a, const CriticalOwner& b) { return a.ns > b.ns; });
  return owners;
}

std::vector<CriticalOwner> CriticalPathOwners(const std::vector<const Trace*>& traces,
                                              CriticalOwnerKey key) {
  CriticalOwnerTimes by_owner;
  for (const Trace* trace : traces) AddCriticalOwnerTimes(*trace, key, by_owner);
  return RankCriticalOwners(by_owner);
}

}  // namespace traceproof
