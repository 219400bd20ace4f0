// report.html: one self-contained page per results folder that shows a run the way the seed
// reads traces. Header (scenario, description, start, duration, versions, Collector binary,
// version and config collapsed, cores), verdict and the checks table (reason, position in the
// scenario file, evidence ids linking to their waterfalls), waterfalls of every failing check's
// evidence traces and of the slowest traces, load over time, the latency percentile spectrum
// (corrected and uncorrected), the spans ledger per hop, sampling, queues and the processes'
// CPU and RSS. Everything is inline (hand-made SVG charts and waterfalls: report/svg_chart.h
// and report/waterfall_svg.h say why; no script library) and the page's CSP forbids fetches,
// so it works from file:// offline and prints. Built from the folder's files only
// (report/report_input.h), so `run`, `traceproof report DIR` and later `merge` write the same
// page. Plain functions; thread-safe.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "report/report_input.h"

namespace traceproof {

struct ReportOptions {
  std::size_t slowest_traces = 5;
  // Bounds that keep the page small whatever the run recorded: traces past them are listed,
  // not drawn, and the page says so (the checks table links only to drawn waterfalls).
  std::size_t max_waterfalls = 60;
  std::size_t max_waterfall_bytes = 3u << 20;
};

std::string ReportHtml(const ReportInput& input, const ReportOptions& options);

struct ReportWritten {
  std::filesystem::path path;
  std::size_t bytes = 0;
  std::size_t waterfalls = 0;
};

// Reads `dir` and writes dir/report.html; nullopt with `error` when dir is not a results folder
// or the file cannot be written.
std::optional<ReportWritten> WriteReportHtml(const std::filesystem::path& dir,
                                             const ReportOptions& options, std::string& error);

}  // namespace traceproof
