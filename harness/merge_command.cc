// `traceproof merge DIR... --out DIR`: the one verdict of a run split into shards (`run
// --shard I/N`). Checks the set first (shard/merge_plan.h: every shard once, one scenario,
// seed and version; else exit 2 naming what is wrong), then merges exactly: load counters
// summed and histograms added (never percentiles averaged), hops by name, ground truth
// concatenated, traces joined by trace id (a trace split across shards' sinks fails the
// merge's own check, shard/trace_join.h), and runs the scenario's checks again over the merged
// data with the run's TraceStream. Writes what `traceproof run` writes, so check, report and
// compare take the merged folder like any other.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "commands.h"
#include "exit_codes.h"
#include "load/histogram.h"
#include "report/recorded_run.h"
#include "report/report_html.h"
#include "report/results_folder.h"
#include "report/results_writer.h"
#include "report/run_data_json.h"
#include "report/run_text.h"
#include "run/trace_stream.h"
#include "scenario/load_scenario.h"
#include "shard/merge_plan.h"
#include "shard/shard_data.h"
#include "shard/trace_join.h"

namespace traceproof {
namespace {

namespace fs = std::filesystem;

struct MergeFlags {
  std::vector<std::string> dirs;
  std::string out;
  std::string scenario;  // default: the file the shards name
};

// A bad input, named; the command exits kExitUsage.
struct Refused {
  std::string message;
};

nlohmann::json ReadJson(const fs::path& path) {
  std::string error;
  std::optional<nlohmann::json> j = ReadJsonFile(path, error);
  if (!j) throw Refused{error};
  return std::move(*j);
}

// Every folder's shard.json, in shard order once the set is known to be whole.
std::vector<ShardFolder> ReadShardSet(const MergeFlags& flags) {
  std::vector<ShardFolder> shards;
  std::vector<std::string> problems;
  for (const std::string& dir : flags.dirs) {
    const fs::path manifest = fs::path(dir) / "shard.json";
    if (!fs::exists(manifest)) {
      problems.push_back(dir +
                         ": not a shard's results (no shard.json): run each shard with "
                         "`traceproof run SCENARIO --shard I/N`");
      continue;
    }
    std::string error;
    auto m = ShardManifestFromJson(ReadJson(manifest), error);
    if (!m) {
      problems.push_back(manifest.string() + ": " + error);
      continue;
    }
    shards.push_back({dir, std::move(*m)});
  }
  if (problems.empty()) problems = MergeProblems(shards);
  if (!problems.empty()) throw Refused{fmt::format("{}", fmt::join(problems, "\n  "))};
  std::sort(shards.begin(), shards.end(), [](const ShardFolder& a, const ShardFolder& b) {
    return a.manifest.slice.index < b.manifest.slice.index;
  });
  return shards;
}

Scenario LoadMergeScenario(const MergeFlags& flags, const ShardManifest& first) {
  const std::string file = flags.scenario.empty() ? first.scenario_file : flags.scenario;
  std::ifstream in(file, std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (!in.good() && !in.eof()) throw Refused{"cannot read the scenario file " + file};
  // The shards' own scenario must be the file they ran; --scenario judges with other checks.
  if (flags.scenario.empty() && ScenarioDigest(bytes) != first.scenario_digest)
    throw Refused{file + " changed since the shards ran it (digest " + ScenarioDigest(bytes) +
                  ", shards " + first.scenario_digest + "): pass --scenario to judge with it"};
  return LoadScenarioFile(file);
}

Histogram ReadHistogram(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::optional<Histogram> h = Histogram::Deserialize(text);
  if (!h) throw Refused{path.string() + ": not a traceproof histogram"};
  return std::move(*h);
}

std::vector<nlohmann::ordered_json> ReadSeries(const fs::path& path) {
  std::vector<nlohmann::ordered_json> rows;
  std::ifstream in(path);
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    auto row = nlohmann::ordered_json::parse(line, nullptr, false);
    if (!row.is_object()) throw Refused{fmt::format("{}:{}: not a JSON object", path.string(), n)};
    rows.push_back(std::move(row));
  }
  return rows;
}

// One shard's figures into the merged outcome, and its traces file for the join.
fs::path AddShard(const ShardFolder& shard, RunOutcome& merged,
                  std::vector<std::vector<nlohmann::ordered_json>>& series,
                  std::string& started_utc) {
  const fs::path dir = shard.dir;
  const nlohmann::json run_data = ReadJson(dir / "run_data.json");
  if (run_data.value("traces_recorded", "all") != "all")
    throw Refused{
        fmt::format("{}: the shard recorded {} traces only (--traces); a merge needs "
                    "them all",
                    dir.string(), run_data.value("traces_recorded", ""))};
  RunData data;
  std::string error;
  if (!RunDataFromJson(run_data, data, error))
    throw Refused{(dir / "run_data.json").string() + ": " + error};
  data.load.corrected = ReadHistogram(dir / "histograms" / "corrected.hist");
  data.load.uncorrected = ReadHistogram(dir / "histograms" / "uncorrected.hist");
  AddShardRunData(merged.data, std::move(data), shard.manifest.slice.index);
  const nlohmann::json summary = ReadJson(dir / "summary.json");
  AddShardSummary(merged, summary);
  // The merged run started when its first shard did (ISO 8601 UTC sorts as text).
  const std::string started = summary.value("started_utc", "");
  if (!started.empty() && (started_utc.empty() || started < started_utc)) started_utc = started;
  if (!ReadGroundTruthFile(dir / "ground_truth.jsonl", merged.data, error)) throw Refused{error};
  series.push_back(ReadSeries(dir / "series.jsonl"));
  std::string none;
  const fs::path traces = FindTracesFile(dir, none);
  if (traces.empty()) throw Refused{none + ": the shard's traces are needed to merge"};
  return traces;
}

// The checks over the merged data; `traces` joined into OUT/traces.jsonl on the way.
void JudgeMerged(const Scenario& scenario, const std::vector<fs::path>& traces,
                 const fs::path& out_dir, RunOutcome& outcome) {
  TraceStreamOptions options;
  options.context = TallyContextOf(outcome.data);
  TraceStream stream(scenario.checks, options);
  std::ofstream out(out_dir / "traces.jsonl", std::ios::trunc | std::ios::binary);
  TraceJoinResult join;
  std::string error;
  if (!JoinShardTraces(
          traces, out, [&](const std::shared_ptr<const Trace>& t) { stream.Add({t}); }, join,
          error))
    throw Refused{error.empty() ? "cannot write " + (out_dir / "traces.jsonl").string() : error};
  stream.JoinRecordedTruth(outcome.data);
  outcome.results = stream.Judge(outcome.data);
  outcome.results.push_back(SplitTracesResult(join));
  outcome.traces = stream.digest();
}

int WriteMerged(const Scenario& scenario, const fs::path& out_dir, const RunOutcome& outcome,
                const std::string& started_utc,
                const std::vector<std::vector<nlohmann::ordered_json>>& series) {
  RunVerdict verdict;
  verdict.checks_passed = outcome.ChecksPassed();
  verdict.as_expected = outcome.AsExpected(scenario.expect, verdict.why);
  const std::string report = RunReportText(scenario, outcome, verdict);
  fmt::print("\n{}", report);
  bool wrote = WriteTextFile(out_dir / "report.txt", report);
  wrote &= WriteResults(out_dir, scenario, outcome, verdict, started_utc, TraceRecords::kAll);
  wrote &= WriteGroundTruth(out_dir / "ground_truth.jsonl", outcome.data);
  std::string rows;
  for (const auto& row : MergeSeriesRows(series)) rows += row.dump() + "\n";
  wrote &= WriteTextFile(out_dir / "series.jsonl", rows);
  fmt::print("results in {}\n", out_dir.string());
  std::string error;
  if (const auto page = WriteReportHtml(out_dir, ReportOptions{}, error))
    fmt::print("report {}\n", page->path.string());
  else
    wrote = false, std::cerr << "traceproof merge: " << error << "\n";
  if (!wrote) {
    std::cerr << "traceproof merge: writing results to '" << out_dir.string() << "' failed\n";
    return kExitEnvironment;
  }
  return verdict.as_expected ? kExitOk : kExitCheckFailed;
}

int RunMerge(const MergeFlags& flags) {
  try {
    const std::vector<ShardFolder> shards = ReadShardSet(flags);
    const fs::path out_dir(flags.out);
    for (const ShardFolder& s : shards) {
      std::error_code ec;
      if (fs::exists(out_dir) && fs::equivalent(out_dir, s.dir, ec))
        throw Refused{"--out " + flags.out + " is one of the shards' folders"};
    }
    const Scenario scenario = LoadMergeScenario(flags, shards.front().manifest);
    std::error_code ec;
    fs::create_directories(out_dir / "histograms", ec);
    if (ec) {
      std::cerr << "traceproof merge: cannot create '" << out_dir.string() << "': " << ec.message()
                << "\n";
      return kExitEnvironment;
    }
    fmt::print("traceproof merge: {} shards of {} ({})\n", shards.size(), scenario.name,
               scenario.file);
    RunOutcome outcome;
    std::vector<std::vector<nlohmann::ordered_json>> series;
    std::vector<fs::path> traces;
    std::string started_utc;
    for (const ShardFolder& s : shards) traces.push_back(AddShard(s, outcome, series, started_utc));
    outcome.ground_truth_spans = outcome.data.truth.size();
    JudgeMerged(scenario, traces, out_dir, outcome);
    return WriteMerged(scenario, out_dir, outcome, started_utc, series);
  } catch (const LoadError& e) {
    std::cerr << "traceproof merge: " << e.what() << "\n";
  } catch (const Refused& e) {
    std::cerr << "traceproof merge: " << e.message << "\n";
  }
  return kExitUsage;
}

}  // namespace

CommandRun AddMergeCommand(CLI::App& app) {
  auto flags = std::make_shared<MergeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "merge",
      "Merge the results of a run split into shards (`traceproof run SCENARIO --shard I/N`)\n"
      "into one results folder with one verdict: load counters summed and latency histograms\n"
      "added (exact percentiles, never averaged), ground truth and traces joined by trace id\n"
      "(a trace split across shards' sinks fails the merge), the scenario's checks run again\n"
      "over the merged data. Writes what `traceproof run` writes (summary.json, junit.xml,\n"
      "report.txt, report.html, traces.jsonl, ...) to --out.\n"
      "Exit codes: 0 the verdict is what the scenario expects, 1 it is not, 2 the shards are\n"
      "not one whole run (a shard missing or given twice, another scenario, seed or version)\n"
      "or a file is invalid, 3 the results cannot be written.");
  cmd->add_option("results", flags->dirs, "Every shard's results folder")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--out", flags->out, "Write the merged results to DIR")->required();
  cmd->add_option("--scenario", flags->scenario,
                  "Judge with this scenario file's checks (default: the one the shards ran)");
  return [flags] { return RunMerge(*flags); };
}

}  // namespace traceproof
