// `traceproof check RESULTS_DIR`: judges a recorded run again without running anything, with
// the scenario's checks as they are now (edit them and check again): run_data.json, then
// ground_truth.jsonl (spans and inbound records), then traces.jsonl[.gz] streamed record by
// record through the run's own TraceStream (the tallies the run fed as its traces completed),
// so on the same files it gives exactly the results the run gave. Writes check.json; the exit
// code is the run's rule: 0 when the verdict is what the scenario expects.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "exit_codes.h"
#include "report/recorded_run.h"
#include "report/results_folder.h"
#include "report/run_data_json.h"
#include "report/summary_json.h"
#include "run/run_outcome.h"
#include "run/trace_stream.h"
#include "scenario/load_scenario.h"

namespace traceproof {
namespace {

namespace fs = std::filesystem;

struct CheckFlags {
  std::string dir;
  std::string scenario;  // default: the file summary.json names
  std::string out;       // default: DIR/check.json
};

// A bad file is named with its line; the caller exits kExitUsage.
struct Refused {
  std::string message;
};

nlohmann::json ReadJson(const fs::path& path) {
  std::string error;
  std::optional<nlohmann::json> j = ReadJsonFile(path, error);
  if (!j) throw Refused{error};
  return std::move(*j);
}

// Every check's tally fed each record in file order (the run's own TraceStream), then judged,
// in the scenario's order.
std::vector<CheckResult> Judge(const Scenario& scenario, const fs::path& traces, RunData& data) {
  TraceStreamOptions options;
  options.context = TallyContextOf(data);
  TraceStream stream(scenario.checks, options);
  std::string error;
  if (!ForEachRecordedTrace(
          traces, [&](const std::shared_ptr<const Trace>& t, std::string_view) { stream.Add({t}); },
          error))
    throw Refused{error};
  // Ground truth after the traces, joined per request as the run joined it.
  stream.JoinRecordedTruth(data);
  return stream.Judge(data);
}

int Report(const Scenario& scenario, const CheckFlags& flags, RunOutcome& outcome,
           const std::string& traces_recorded) {
  for (const CheckResult& r : outcome.results) {
    fmt::print("  {} {:<11} {}\n", r.passed ? "PASS" : "FAIL", r.kind, r.label);
    if (!r.reason.empty()) fmt::print("       {}\n", r.reason);
  }
  std::string why;
  const bool as_expected = outcome.AsExpected(scenario.expect, why);
  fmt::print("verdict: {}{}\n", outcome.ChecksPassed() ? "PASS" : "FAIL",
             scenario.expect.pass ? ""
             : as_expected        ? " (as expected)"
                                  : " — NOT as expected: " + why);
  if (traces_recorded != "all")
    fmt::print(stderr,
               "traceproof check: the run recorded {} traces only (--traces {}): the results "
               "cover those, not the whole run\n",
               traces_recorded, traces_recorded);
  const fs::path out = flags.out.empty() ? fs::path(flags.dir) / "check.json" : fs::path(flags.out);
  nlohmann::json j = {
      {"scenario", scenario.file},          {"results", flags.dir},
      {"traces_recorded", traces_recorded}, {"verdict", outcome.ChecksPassed() ? "pass" : "fail"},
      {"as_expected", as_expected},         {"checks", ChecksJson(outcome.results)}};
  std::ofstream f(out, std::ios::trunc);
  f << j.dump(2) << "\n";
  if (!f) {
    std::cerr << "traceproof check: cannot write " << out.string() << "\n";
    return kExitEnvironment;
  }
  return as_expected ? kExitOk : kExitCheckFailed;
}

int RunCheck(const CheckFlags& flags) {
  const fs::path dir(flags.dir);
  try {
    const nlohmann::json run_data = ReadJson(dir / "run_data.json");
    std::string scenario_file = flags.scenario;
    if (scenario_file.empty())
      scenario_file = ReadJson(dir / "summary.json").at("scenario").at("file");
    const Scenario scenario = LoadScenarioFile(scenario_file);
    RunOutcome outcome;
    std::string error;
    if (!RunDataFromJson(run_data, outcome.data, error))
      throw Refused{(dir / "run_data.json").string() + ": " + error};
    if (!ReadGroundTruthFile(dir / "ground_truth.jsonl", outcome.data, error)) throw Refused{error};
    std::string no_traces;
    const fs::path traces = FindTracesFile(dir, no_traces);
    if (traces.empty()) throw Refused{no_traces + ": there is nothing to judge the traces with"};
    fmt::print("traceproof check: {} ({}): {} ground-truth spans, traces from {}\n", scenario.name,
               scenario_file, outcome.data.truth.size(), traces.string());
    outcome.results = Judge(scenario, traces, outcome.data);
    return Report(scenario, flags, outcome, run_data.value("traces_recorded", "all"));
  } catch (const LoadError& e) {
    std::cerr << "traceproof check: " << e.what() << "\n";
  } catch (const Refused& e) {
    std::cerr << "traceproof check: " << e.message << "\n";
  } catch (const nlohmann::json::exception& e) {
    std::cerr << "traceproof check: " << (dir / "summary.json").string()
              << " does not name the scenario file (" << e.what() << "); pass --scenario\n";
  }
  return kExitUsage;
}

}  // namespace

CommandRun AddCheckCommand(CLI::App& app) {
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Judge a recorded run again, without running anything: reads RESULTS_DIR's\n"
      "run_data.json, ground_truth.jsonl and traces.jsonl[.gz] (as `traceproof run` wrote\n"
      "them) and runs the scenario's checks over them, the same code the run used, so an\n"
      "unchanged scenario gives the run's results exactly. Edit a check's bounds and check\n"
      "again to see what it would have said. Writes RESULTS_DIR/check.json (or --out).\n"
      "Exit codes: 0 the verdict is what the scenario expects, 1 it is not, 2 a file or the\n"
      "scenario is invalid (named with its line), 3 check.json cannot be written.");
  cmd->add_option("results", flags->dir, "A results folder of `traceproof run`")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--scenario", flags->scenario,
                  "Judge with this scenario file's checks (default: the one summary.json names)");
  cmd->add_option("--out", flags->out, "Write the results here instead of RESULTS_DIR/check.json");
  return [flags] { return RunCheck(*flags); };
}

}  // namespace traceproof
