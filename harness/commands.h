// Subcommands of the traceproof binary. Each registers its flags on the CLI11 app and returns
// the callback main() runs once parsing succeeded; the callback returns an exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace traceproof {

using CommandRun = std::function<int()>;

CommandRun AddSinkCommand(CLI::App& app);
CommandRun AddBenchCommand(CLI::App& app);

}  // namespace traceproof
