// Reading what a run recorded back into what the checks read: ground_truth.jsonl (spans the
// services emitted and inbound witness records) into RunData, and traces.jsonl[.gz] decoded
// record by record, in file order. `traceproof check` judges a run again from these and
// `traceproof merge` joins shards' files with them, so both refuse a bad line the same way
// ("PATH:LINE: why"). Errors are values; the commands turn them into exit code 2. Plain
// functions, thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "checks/run_data.h"

namespace traceproof {

// Appends every record of `path` to data.truth / data.inbound. A missing file is no records
// (a run without services, or --no-traces); false with `error` on the first bad line.
bool ReadGroundTruthFile(const std::filesystem::path& path, RunData& data, std::string& error);

// Each trace record of a traces file with its line as written; false with `error` when the
// file cannot be read or a line is not a trace record (reading stops there).
using RecordedTraceVisitor =
    std::function<void(const std::shared_ptr<const Trace>& trace, std::string_view line)>;
bool ForEachRecordedTrace(const std::filesystem::path& path, const RecordedTraceVisitor& visit,
                          std::string& error);

}  // namespace traceproof
