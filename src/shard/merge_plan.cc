#include "shard/merge_plan.h"

#include <fmt/format.h>

#include <map>

namespace traceproof {
namespace {

// A field every shard must share: one line naming the odd ones against the first.
template <typename Get>
void Same(const std::vector<ShardFolder>& shards, const char* what, Get get,
          std::vector<std::string>& problems) {
  const auto first = get(shards.front().manifest);
  for (const ShardFolder& s : shards) {
    if (get(s.manifest) != first)
      problems.push_back(fmt::format("{}: {} {} differs from {}'s {}", s.dir.string(), what,
                                     get(s.manifest), shards.front().dir.string(), first));
  }
}

}  // namespace

std::vector<std::string> MergeProblems(const std::vector<ShardFolder>& shards) {
  std::vector<std::string> problems;
  if (shards.empty()) return {"no shard results given"};
  Same(
      shards, "shard count", [](const ShardManifest& m) { return m.slice.count; }, problems);
  Same(
      shards, "scenario file digest", [](const ShardManifest& m) { return m.scenario_digest; },
      problems);
  Same(
      shards, "arrival seed", [](const ShardManifest& m) { return m.seed; }, problems);
  Same(
      shards, "traceproof version", [](const ShardManifest& m) { return m.traceproof_version; },
      problems);
  if (!problems.empty()) return problems;  // the slices below would not mean anything
  const int count = shards.front().manifest.slice.count;
  std::map<int, std::vector<std::string>> by_index;
  for (const ShardFolder& s : shards) by_index[s.manifest.slice.index].push_back(s.dir.string());
  for (int i = 0; i < count; ++i) {
    const auto it = by_index.find(i);
    if (it == by_index.end())
      problems.push_back(fmt::format("shard {}/{} missing", i, count));
    else if (it->second.size() > 1)
      problems.push_back(fmt::format("shard {}/{} given {} times: {}", i, count, it->second.size(),
                                     fmt::join(it->second, ", ")));
  }
  return problems;
}

}  // namespace traceproof
