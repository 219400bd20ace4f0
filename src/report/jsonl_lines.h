// Reading a results folder's JSONL files line by line, plain or gzip (traces.jsonl[.gz]):
// zlib's gzread reads both, so a reader never cares which the run wrote. Used by
// `traceproof check` and by report.html's trace picker; a line at a time, so a long run's
// traces never sit in memory at once. Plain functions; thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace traceproof {

// Calls `visit(line, line_number)` for each line (without its newline; a last line without one
// too). An exception from `visit` propagates (the file is closed). nullopt when the file cannot
// be opened or its gzip data is corrupt, with `error` saying which; else the number of lines.
std::optional<std::uint64_t> ForEachJsonlLine(
    const std::filesystem::path& path,
    const std::function<void(std::string_view line, std::uint64_t number)>& visit,
    std::string& error);

// traces.jsonl or traces.jsonl.gz in `dir`, whichever exists, else evidence.jsonl (the traces a
// run kept whole when it wrote fewer: report/evidence_reservoir.h); nullopt for none.
std::optional<std::filesystem::path> TracesFileIn(const std::filesystem::path& dir);

}  // namespace traceproof
