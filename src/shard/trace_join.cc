#include "shard/trace_join.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "report/recorded_run.h"

namespace traceproof {

bool JoinShardTraces(const std::vector<std::filesystem::path>& files, std::ostream& out,
                     const std::function<void(const std::shared_ptr<const Trace>&)>& each,
                     TraceJoinResult& result, std::string& error) {
  std::unordered_map<TraceId, int, IdHash> first_shard;
  std::map<TraceId, std::vector<int>> split;  // ordered: the report lists them stably
  for (std::size_t i = 0; i < files.size(); ++i) {
    const int shard = static_cast<int>(i);
    const bool read = ForEachRecordedTrace(
        files[i],
        [&](const std::shared_ptr<const Trace>& trace, std::string_view line) {
          out << line << '\n';
          ++result.records;
          const auto [it, fresh] = first_shard.emplace(trace->id, shard);
          if (fresh) {
            ++result.traces;
          } else if (it->second != shard) {
            std::vector<int>& shards = split[trace->id];
            if (shards.empty()) shards.push_back(it->second);
            if (std::find(shards.begin(), shards.end(), shard) == shards.end())
              shards.push_back(shard);
          }
          each(trace);
        },
        error);
    if (!read) return false;
  }
  for (auto& [id, shards] : split) result.split.push_back({id, std::move(shards)});
  return static_cast<bool>(out);
}

CheckResult SplitTracesResult(const TraceJoinResult& join) {
  CheckResult r;
  r.kind = "merge";
  r.label = "every trace whole on one shard's sink";
  r.passed = join.split.empty();
  r.details = {{"traces", join.traces}, {"split_traces", join.split.size()}};
  if (r.passed) {
    r.reason = fmt::format("{} traces, none split across shards", join.traces);
    return r;
  }
  const SplitTrace& first = join.split.front();
  r.reason =
      fmt::format("{} of {} traces split across shards' sinks, e.g. trace {} on shards {}",
                  join.split.size(), join.traces, first.id.Hex(), fmt::join(first.shards, ", "));
  for (std::size_t i = 0; i < join.split.size() && i < 10; ++i)
    r.evidence.push_back(join.split[i].id.Hex());
  return r;
}

}  // namespace traceproof
