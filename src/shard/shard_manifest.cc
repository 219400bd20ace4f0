#include "shard/shard_manifest.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <charconv>

namespace traceproof {
namespace {

std::optional<int> Int(std::string_view s) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<ShardSlice> ParseShardSlice(std::string_view text, std::string& error) {
  const auto slash = text.find('/');
  const auto index = slash == std::string_view::npos ? std::nullopt : Int(text.substr(0, slash));
  const auto count = slash == std::string_view::npos ? std::nullopt : Int(text.substr(slash + 1));
  if (!index || !count) {
    error = fmt::format("'{}': want I/N, shard I of N counted from 0 (e.g. 0/3)", text);
    return std::nullopt;
  }
  if (*count < 1 || *count > kMostShards) {
    error = fmt::format("'{}': N must be 1 to {}", text, kMostShards);
    return std::nullopt;
  }
  if (*index < 0 || *index >= *count) {
    error = fmt::format("'{}': I must be 0 to {} (shards count from 0)", text, *count - 1);
    return std::nullopt;
  }
  return ShardSlice{*index, *count};
}

std::string ScenarioDigest(std::string_view file_bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(file_bytes.data(), file_bytes.size(), digest, &size, EVP_sha256(), nullptr) != 1)
    return "";  // never for SHA-256 in memory; an empty digest matches no shard's
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

nlohmann::json ShardManifestJson(const ShardManifest& m) {
  return {{"shard", m.slice.index},
          {"shards", m.slice.count},
          {"seed", m.seed},
          {"scenario",
           {{"name", m.scenario_name}, {"file", m.scenario_file}, {"digest", m.scenario_digest}}},
          {"traceproof_version", m.traceproof_version},
          {"start_at", m.start_at}};
}

std::optional<ShardManifest> ShardManifestFromJson(const nlohmann::json& j, std::string& error) {
  ShardManifest m;
  const char* at = "shard";
  try {
    m.slice.index = j.at("shard").get<int>();
    at = "shards";
    m.slice.count = j.at("shards").get<int>();
    at = "seed";
    m.seed = j.at("seed").get<std::uint64_t>();
    at = "scenario";
    const nlohmann::json& s = j.at("scenario");
    m.scenario_name = s.at("name").get<std::string>();
    m.scenario_file = s.at("file").get<std::string>();
    m.scenario_digest = s.at("digest").get<std::string>();
    at = "traceproof_version";
    m.traceproof_version = j.at("traceproof_version").get<std::string>();
    at = "start_at";
    m.start_at = j.value("start_at", "");
  } catch (const nlohmann::json::exception&) {
    error = fmt::format("field '{}' is missing or of the wrong type", at);
    return std::nullopt;
  }
  if (m.slice.count < 1 || m.slice.index < 0 || m.slice.index >= m.slice.count) {
    error = fmt::format("shard {}/{} is not a shard", m.slice.index, m.slice.count);
    return std::nullopt;
  }
  return m;
}

}  // namespace traceproof
