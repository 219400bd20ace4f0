// shard.json: what a shard's results folder says of itself (`traceproof run --shard I/N`), so
// `traceproof merge` can tell a whole set of shards from a partial, duplicated or mixed one:
// which slice of which scenario (by the digest of its file's bytes, so a scenario edited
// between shards is caught), with which arrival seed and traceproof version, and the common
// start. Plain data and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace traceproof {

// Shard `index` of `count`, from 0: `--shard 0/3` is the first of three.
struct ShardSlice {
  int index = 0;
  int count = 1;
};
inline constexpr int kMostShards = 1000;

// "I/N" with 0 <= I < N <= kMostShards; nullopt with `error` saying what is wrong.
std::optional<ShardSlice> ParseShardSlice(std::string_view text, std::string& error);

struct ShardManifest {
  ShardSlice slice;
  std::uint64_t seed = 1;
  std::string scenario_name;
  std::string scenario_file;
  std::string scenario_digest;  // ScenarioDigest of the file's bytes
  std::string traceproof_version;
  std::string start_at;  // as given to --start-at, "" for none
};

// SHA-256 of the bytes (OpenSSL), as 64 hex digits: equal files, equal digests, on any machine.
std::string ScenarioDigest(std::string_view file_bytes);

nlohmann::json ShardManifestJson(const ShardManifest& manifest);
// nullopt with `error` naming the field for a document ShardManifestJson did not write.
std::optional<ShardManifest> ShardManifestFromJson(const nlohmann::json& json, std::string& error);

}  // namespace traceproof
