// What report.html is made of, read from a results folder's files so the same code writes the
// report of any folder (`run` when it ends, `traceproof report DIR` later, and merge or check
// when they write results): summary.json (required), run_data.json, series.jsonl,
// histograms/*.hist, collector.log and the Collector's config file (when still readable), and
// the traces the page draws from traces.jsonl[.gz] (report/report_traces.h). Files a run did
// not write (--no-traces, no Collector) are simply absent, and the page says so. Plain data
// and one reading function; thread-safe.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "load/histogram.h"
#include "report/report_traces.h"

namespace traceproof {

struct ReportInput {
  std::filesystem::path dir;
  nlohmann::json summary;                // summary.json
  nlohmann::json run_data;               // run_data.json, or null
  std::vector<nlohmann::json> series;    // series.jsonl rows, in time order
  std::optional<Histogram> corrected;    // histograms/corrected.hist
  std::optional<Histogram> uncorrected;  // histograms/uncorrected.hist
  std::string collector_config;          // the config file's text, when readable
  std::string collector_version;         // as collector.log states it, when it does
  std::optional<ReportTraces> traces;    // nullopt: the folder holds no traces file
  std::vector<std::string> notes;        // files present but unreadable, said on the page
};

// The ids (hex) of every failing check's evidence in summary.json, in check order.
std::vector<std::string> FailingEvidence(const nlohmann::json& summary);

// nullopt with `error` when `dir` holds no readable summary.json; every other file is optional.
std::optional<ReportInput> ReadReportInput(const std::filesystem::path& dir,
                                           std::size_t slowest_count, std::string& error);

}  // namespace traceproof
