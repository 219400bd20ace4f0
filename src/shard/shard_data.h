// Adding one shard's recorded figures into the merged run's (`traceproof merge`): load counts
// and histograms (histograms add exactly; percentiles averaged across generators would not),
// every hop's counters by name, the sink's counters from summary.json, and the per-second
// series row by row. Ground truth and traces are joined elsewhere (shard/trace_join.h). Plain
// functions over plain data; one merge at a time.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "checks/run_data.h"
#include "run/run_outcome.h"

namespace traceproof {

// `from` (a shard's RunData, its load histograms filled) into `into`: load via AddLoadStats,
// target rates summed (each shard was asked for its share), windows and run time the longest,
// hops summed by name (a hop only some shards have is kept), samplers and entry services taken
// from the first shard that has them. A sink tier's sinks are kept apart, named "shard I: sink
// K" (each shard ran a tier of its own), so the `sinks` check still sees every real sink.
void AddShardRunData(RunData& into, RunData from, int shard);

// A shard's summary.json "spans" and "status" into the outcome's sink counters and status (the
// worst status wins: one interrupted shard makes the merged run interrupted).
void AddShardSummary(RunOutcome& into, const nlohmann::json& summary);

// The shards' series.jsonl rows, joined row by row within each phase (row k of the load phase
// of every shard is the same second, since the phases start at --start-at): counts and rates
// summed; p50/p99/max the highest of the shards' (a percentile of the union is not in the
// rows; histograms/ has the exact merged distribution); processes kept, named "shard I: name".
std::vector<nlohmann::ordered_json> MergeSeriesRows(
    const std::vector<std::vector<nlohmann::ordered_json>>& shards);

}  // namespace traceproof
