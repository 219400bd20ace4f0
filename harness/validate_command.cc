// `traceproof validate FILE...`: loads each scenario file exactly as `traceproof run` would, and
// reports it ok or names its first mistake (file:line:col), without starting anything. For
// editors, pre-commit hooks and CI, so a typo fails in milliseconds rather than after a run.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "exit_codes.h"
#include "scenario/load_scenario.h"

namespace traceproof {
namespace {

int RunValidate(const std::vector<std::string>& files) {
  int bad = 0;
  for (const std::string& file : files) {
    try {
      const Scenario scenario = LoadScenarioFile(file);
      fmt::print("{}: ok ({} phase{}, {} check{}, services: {})\n", file, scenario.load.size(),
                 scenario.load.size() == 1 ? "" : "s", scenario.checks.size(),
                 scenario.checks.size() == 1 ? "" : "s", scenario.services_source);
    } catch (const LoadError& e) {
      std::cout << std::flush;
      std::cerr << e.what() << "\n";
      ++bad;
    }
  }
  if (files.size() > 1 && bad > 0) {
    std::cerr << fmt::format("traceproof validate: {} of {} files invalid\n", bad, files.size());
  }
  return bad == 0 ? kExitOk : kExitUsage;
}

}  // namespace

CommandRun AddValidateCommand(CLI::App& app) {
  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "Check scenario files without running them: every key, value and reference (routes,\n"
      "services, presets, check options) is validated as `traceproof run` would. Prints\n"
      "'FILE: ok (N phases, M checks, services: SOURCE)' or 'FILE:LINE:COL: what is wrong'.\n"
      "Exit code 0 if every file is valid, 2 if any is not. Schema: docs/scenarios.md.\n"
      "Example: traceproof validate scenarios/*.yaml");
  cmd->add_option("files", *files, "Scenario YAML files")->required();
  return [files] { return RunValidate(*files); };
}

}  // namespace traceproof
