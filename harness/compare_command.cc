// `traceproof compare BASE CURRENT`: two results folders of `traceproof run` (the same
// scenario, or variants of it), compared route by route (compare/compare_runs.h): shapes,
// operation latency with a seeded block bootstrap, check verdicts, load, loss and sampling.
// Prints the table, writes compare.json and compare.html (into CURRENT, or --out), and the job
// summary (--summary-md, $GITHUB_STEP_SUMMARY). `run --baseline DIR` calls the same code after
// its run. Exit codes: 0 no regression, 1 a regression, 2 bad input (not a results folder, no
// route in common, a bad flag), 3 a file cannot be written.
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "compare/compare_html.h"
#include "compare/compare_json.h"
#include "compare/compare_markdown.h"
#include "compare/compare_text.h"
#include "compare/slowest_traces.h"
#include "config/duration.h"
#include "exit_codes.h"
#include "report/job_summary.h"

namespace traceproof {
namespace {

namespace fs = std::filesystem;

// "10%" or "0.1"; nullopt when neither.
std::optional<double> ParseFraction(const std::string& text) {
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size()) return v;
    if (used + 1 == text.size() && text.back() == '%') return v / 100;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::optional<CompareOptions> Options(const CompareRequest& request) {
  CompareOptions options;
  const std::optional<double> fraction = ParseFraction(request.max_regression);
  if (!fraction || *fraction < 0) {
    std::cerr << "traceproof compare: --max-latency-regression '" << request.max_regression
              << "': want a percentage such as 10%\n";
    return std::nullopt;
  }
  options.max_regression = *fraction;
  std::string error;
  const auto floor = ParseDuration(request.min_change, error);
  if (!floor || floor->count() < 0) {
    std::cerr << "traceproof compare: --min-latency-change: " << (floor ? "negative" : error)
              << "\n";
    return std::nullopt;
  }
  options.min_change = *floor;
  options.shift.percentile = request.percentile;
  return options;
}

std::optional<RunProfile> Profile(const char* which, const std::string& dir) {
  std::string error;
  std::optional<RunProfile> p = ReadRunProfile(dir, error);
  if (!p) std::cerr << "traceproof compare: " << which << ": " << error << "\n";
  return p;
}

bool Write(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::trunc | std::ios::binary);
  f << text;
  f.flush();
  if (!f) std::cerr << "traceproof compare: cannot write " << path.string() << "\n";
  return static_cast<bool>(f);
}

}  // namespace

int RunCompare(const CompareRequest& request) {
  const std::optional<CompareOptions> options = Options(request);
  if (!options) return kExitUsage;
  const std::optional<RunProfile> base = Profile("BASE", request.base);
  if (!base) return kExitUsage;
  const std::optional<RunProfile> current = Profile("CURRENT", request.current);
  if (!current) return kExitUsage;
  std::string error;
  const std::optional<RunComparison> comparison = CompareRuns(*base, *current, *options, error);
  if (!comparison) {
    std::cerr << "traceproof compare: " << error << "\n";
    return kExitUsage;
  }
  fmt::print("{}", ComparisonText(*comparison));
  const std::vector<SlowestPair> slowest = ReadSlowestTraces(*base, *current, *comparison);
  const fs::path out = request.out.empty() ? fs::path(request.current) : fs::path(request.out);
  bool wrote = Write(out / "compare.json", ComparisonJson(*comparison).dump(2) + "\n");
  wrote &= Write(out / "compare.html", ComparisonHtml(*comparison, slowest));
  const char* step_summary = std::getenv("GITHUB_STEP_SUMMARY");
  if (!WriteJobSummary(ComparisonMarkdown(*comparison, slowest), request.summary_md,
                       step_summary ? step_summary : "", error, request.append_summary_md)) {
    std::cerr << "traceproof compare: " << error << "\n";
    wrote = false;
  }
  fmt::print("compare.json and compare.html in {}\n", out.string());
  if (!wrote) return kExitEnvironment;
  return comparison->Regressions().empty() ? kExitOk : kExitCheckFailed;
}

void AddCompareThresholds(CLI::App& cmd, CompareRequest& request) {
  cmd.add_option("--max-latency-regression", request.max_regression,
                 "A latency change counts when it is over this share of the base's percentile")
      ->capture_default_str();
  cmd.add_option("--min-latency-change", request.min_change,
                 "... and over this absolute change (a duration: 500us, 1ms)")
      ->capture_default_str();
  cmd.add_option("--percentile", request.percentile, "The percentile compared (50 to 99.9)")
      ->check(CLI::Range(1.0, 99.99))
      ->capture_default_str();
}

CommandRun AddCompareCommand(CLI::App& app) {
  auto request = std::make_shared<CompareRequest>();
  CLI::App* cmd = app.add_subcommand(
      "compare",
      "Compare two results folders of `traceproof run` (the same scenario, or variants of it\n"
      "with other faults, rates or Collector configs), route by route: trace shapes (new,\n"
      "missing, count changes of operations by service and parent), each operation's p50 and\n"
      "p99 with a seeded block bootstrap saying whether the change is beyond the runs' noise,\n"
      "check verdicts, load, loss and sampling. Writes compare.json and compare.html into\n"
      "CURRENT (or --out). Exit codes: 0 no regression, 1 a latency change whose whole 99%\n"
      "interval is over --max-latency-regression AND over --min-latency-change, or a check\n"
      "that passed and now fails; 2 bad input (not a results folder, no route in common); 3 cannot "
      "write.");
  cmd->add_option("base", request->base, "Results folder of the baseline run")->required();
  cmd->add_option("current", request->current, "Results folder of the run to judge")->required();
  AddCompareThresholds(*cmd, *request);
  cmd->add_option("--out", request->out, "Write compare.json and compare.html here");
  cmd->add_option("--summary-md", request->summary_md,
                  "Write the Markdown job summary here (also appended to $GITHUB_STEP_SUMMARY "
                  "when set)");
  return [request] { return RunCompare(*request); };
}

}  // namespace traceproof
