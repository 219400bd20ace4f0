// Subcommands of the traceproof binary. Each registers its flags on the CLI11 app and returns
// the callback main() runs once parsing succeeded; the callback returns an exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace traceproof {

using CommandRun = std::function<int()>;

CommandRun AddSinkCommand(CLI::App& app);
CommandRun AddBenchCommand(CLI::App& app);
CommandRun AddServeCommand(CLI::App& app);
CommandRun AddValidateCommand(CLI::App& app);
CommandRun AddRunCommand(CLI::App& app);
CommandRun AddBrokerCommand(CLI::App& app);

// A preset name (mock_services/presets/NAME.yaml) or a path, as given to serve and scenarios.
std::string ResolveServicesPath(const std::string& name_or_path);

}  // namespace traceproof
