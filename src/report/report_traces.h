// Which traces report.html draws, read from the results folder's traces.jsonl[.gz] in two
// streaming passes so a long run's file never sits in memory: the first keeps each trace's
// extent (earliest start, latest end, update records included) and picks the slowest; the
// second keeps only the records of the picked traces and the wanted ones (the failing checks'
// evidence), folds their update records (report/trace_records.h) and rebuilds each as the
// sink had assembled it (report/trace_from_json.h). Plain function; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/trace.h"

namespace traceproof {

struct ReportTraces {
  std::vector<std::string> slowest;                           // trace ids (hex), slowest first
  std::map<std::string, std::shared_ptr<const Trace>> by_id;  // every trace picked or wanted
  std::uint64_t traces_in_file = 0;
  std::vector<std::string> problems;  // records that could not be read (named by line)
};

// nullopt with `error` when the file cannot be read at all; a bad record is a problem, not an
// error (the report still shows the rest).
std::optional<ReportTraces> PickReportTraces(const std::filesystem::path& traces_file,
                                             const std::set<std::string>& wanted,
                                             std::size_t slowest_count, std::string& error);

}  // namespace traceproof
