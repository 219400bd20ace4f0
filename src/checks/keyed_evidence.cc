#include "checks/keyed_evidence.h"

#include <set>

#include "checks/check_util.h"

namespace traceproof::checks {

void KeyedEvidence::Add(std::uint64_t key, std::vector<TraceId> ids) {
  if (ids.empty()) return;
  std::vector<TraceId>& entry = entries_[key];
  entry.insert(entry.end(), ids.begin(), ids.end());
  // The largest key can go once the ones before it already fill the list.
  while (entries_.size() > 1 && DistinctWithoutLast() >= kMaxEvidence)
    entries_.erase(std::prev(entries_.end()));
}

std::size_t KeyedEvidence::DistinctWithoutLast() const {
  std::set<TraceId> distinct;
  for (auto it = entries_.begin(); it != std::prev(entries_.end()); ++it)
    distinct.insert(it->second.begin(), it->second.end());
  return distinct.size();
}

std::vector<std::string> KeyedEvidence::Ids() const {
  std::vector<std::string> out;
  for (const auto& [key, ids] : entries_)
    for (const TraceId& id : ids) AddEvidence(out, id);
  return out;
}

}  // namespace traceproof::checks
