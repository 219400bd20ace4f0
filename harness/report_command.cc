// `traceproof report RESULTS_DIR`: writes (again) RESULTS_DIR/report.html from the folder's
// files (report/report_html.h), the same page `traceproof run` writes when it ends: for results
// of an older traceproof, after `traceproof check`, or to draw more slow traces. Exit codes: 0
// written, 2 not a results folder (no summary.json), 3 report.html cannot be written.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "commands.h"
#include "exit_codes.h"
#include "report/report_html.h"

namespace traceproof {
namespace {

struct ReportFlags {
  std::string dir;
  std::size_t slowest = 5;
};

int RunReport(const ReportFlags& flags) {
  ReportOptions options;
  options.slowest_traces = flags.slowest;
  std::string error;
  const std::optional<ReportWritten> written = WriteReportHtml(flags.dir, options, error);
  if (!written) {
    std::cerr << "traceproof report: " << error << "\n";
    return std::filesystem::exists(std::filesystem::path(flags.dir) / "summary.json")
               ? kExitEnvironment
               : kExitUsage;
  }
  fmt::print("report {} ({} KB, {} waterfalls)\n", written->path.string(), written->bytes / 1024,
             written->waterfalls);
  return kExitOk;
}

}  // namespace

CommandRun AddReportCommand(CLI::App& app) {
  auto flags = std::make_shared<ReportFlags>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Write RESULTS_DIR/report.html from a results folder of `traceproof run`: one\n"
      "self-contained page (no network access, prints) with the verdict and checks, waterfalls\n"
      "of every failing check's evidence traces and of the slowest traces, load over time, the\n"
      "latency spectrum, the spans ledger per hop, sampling, queues, CPU and RSS. `run` writes\n"
      "it when it ends; this regenerates it. Exit codes: 0 written, 2 not a results folder,\n"
      "3 report.html cannot be written.");
  cmd->add_option("results", flags->dir, "A results folder of `traceproof run`")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--slowest", flags->slowest, "How many of the slowest traces to draw")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  return [flags] { return RunReport(*flags); };
}

}  // namespace traceproof
