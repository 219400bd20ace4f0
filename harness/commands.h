// Subcommands of the traceproof binary. Each registers its flags on the CLI11 app and returns
// the callback main() runs once parsing succeeded; the callback returns an exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace traceproof {

class Reaper;

using CommandRun = std::function<int()>;

// What main() gives the subcommands that start processes. Filled once the command line is
// parsed, before the subcommand runs: the callbacks read it then.
struct CommandContext {
  Reaper* reaper = nullptr;  // started before any child (process/reaper.h); nullptr: none
};

CommandRun AddSinkCommand(CLI::App& app);
CommandRun AddBenchCommand(CLI::App& app, const CommandContext& context);
CommandRun AddServeCommand(CLI::App& app);
CommandRun AddValidateCommand(CLI::App& app);
CommandRun AddRunCommand(CLI::App& app, const CommandContext& context);
CommandRun AddBrokerCommand(CLI::App& app, const CommandContext& context);
CommandRun AddCheckCommand(CLI::App& app);
CommandRun AddReportCommand(CLI::App& app);
CommandRun AddCompareCommand(CLI::App& app);
CommandRun AddMergeCommand(CLI::App& app);

// What `traceproof compare` compares and how; `run --baseline DIR` fills one after its run.
struct CompareRequest {
  std::string base, current;
  std::string out;                 // default: current
  std::string summary_md;          // also $GITHUB_STEP_SUMMARY when set
  bool append_summary_md = false;  // after the run's own summary (run --baseline)
  std::string max_regression = "10%";
  std::string min_change = "1ms";
  double percentile = 99;
};
// The comparison with its reports; the exit code of `traceproof compare`.
int RunCompare(const CompareRequest& request);
// --max-latency-regression, --min-latency-change, --percentile (compare, and run --baseline).
void AddCompareThresholds(CLI::App& cmd, CompareRequest& request);

// A preset name (mock_services/presets/NAME.yaml) or a path, as given to serve and scenarios.
std::string ResolveServicesPath(const std::string& name_or_path);

}  // namespace traceproof
