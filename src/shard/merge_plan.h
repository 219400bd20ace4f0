// Whether the results folders given to `traceproof merge` are one whole run: every shard of
// one N exactly once, of the same scenario file (digest), arrival seed and traceproof version.
// Anything else would merge into a verdict about a load nobody ran, so each problem is named
// ("shard 1/3 missing", "shard 2/3 given twice: a, b") and the merge exits 2. Pure function;
// thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "shard/shard_manifest.h"

namespace traceproof {

struct ShardFolder {
  std::filesystem::path dir;
  ShardManifest manifest;
};

// Every problem, one line each; empty when `shards` (in any order) is one whole run.
std::vector<std::string> MergeProblems(const std::vector<ShardFolder>& shards);

}  // namespace traceproof
