// Reading a results folder of `traceproof run` back (summary.json, run_data.json,
// traces.jsonl or traces.jsonl.gz): the file readers `traceproof check` and `traceproof
// compare` share, so both name a bad file the same way. Errors are values (the message names
// the file, and the line for traces); the commands turn them into exit code 2. Pure functions,
// thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace traceproof {

// nullopt with `error` ("cannot read DIR/summary.json", "DIR/run_data.json: not JSON (...)").
std::optional<nlohmann::json> ReadJsonFile(const std::filesystem::path& path, std::string& error);

// DIR/traces.jsonl, else DIR/traces.jsonl.gz; empty with `error` when neither exists.
std::filesystem::path FindTracesFile(const std::filesystem::path& dir, std::string& error);

// Every line of a traces file, plain or gzip (zlib reads both), in order, with its number from
// 1; `visit` returns false to stop early. False with `error` when the file cannot be read or
// its gzip data is corrupt.
using LineVisitor = std::function<bool(std::string_view line, std::uint64_t number)>;
bool ForEachLine(const std::filesystem::path& path, const LineVisitor& visit, std::string& error);

}  // namespace traceproof
