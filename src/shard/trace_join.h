// Joining the shards' traces.jsonl by trace id for `traceproof merge`: every record is copied
// to the merged file and handed on (to the checks' TraceStream), and a trace id that more than
// one shard's sink holds is reported as split, never silently glued: with one sink per shard a
// trace can only be split when its spans took two shards' paths (an external service shared by
// shards exporting to the wrong sink, ids that collided), and a verdict over half-traces would
// be wrong. Only the ids are held (16 bytes a trace), not the traces. One join at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "checks/check.h"
#include "otlp/ids.h"
#include "store/trace.h"

namespace traceproof {

struct SplitTrace {
  TraceId id;
  std::vector<int> shards;  // the shard indexes whose sinks hold part of it, ascending
};

struct TraceJoinResult {
  std::uint64_t records = 0;
  std::uint64_t traces = 0;  // distinct trace ids
  std::vector<SplitTrace> split;
};

// `files[i]` is shard i's traces file. False with `error` (file and line) on the first
// unreadable file or bad record; `out` then holds what was copied so far.
bool JoinShardTraces(const std::vector<std::filesystem::path>& files, std::ostream& out,
                     const std::function<void(const std::shared_ptr<const Trace>&)>& each,
                     TraceJoinResult& result, std::string& error);

// The merge's own finding, judged like a check: passes when no trace is split, else names the
// first split traces and their shards.
CheckResult SplitTracesResult(const TraceJoinResult& join);

}  // namespace traceproof
