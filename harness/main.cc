// traceproof: load generation and trace validation for OpenTelemetry tracing. The process
// entry point: parses the command line, runs one subcommand and maps failures to the exit codes
// in exit_codes.h. Exceptions stop here and nowhere deeper. Before a subcommand that starts
// processes runs, main starts the reaper, so none of them outlives traceproof, even its SIGKILL.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <memory>

#include "commands.h"
#include "exit_codes.h"
#include "process/reaper.h"

int main(int argc, char** argv) {
  using namespace traceproof;
  CLI::App app{
      "traceproof: prove that your OpenTelemetry tracing works before production does.\n"
      "Runs an embedded OTLP sink (gRPC and HTTP) that assembles and checks traces, and mock\n"
      "services that emit real OTLP spans with injectable latency, errors and propagation "
      "faults.\n\n"
      "Exit codes: 0 ok, 1 a check failed, 2 bad usage or input, 3 environment failure\n"
      "(port busy, process did not start)."};
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       fmt::format("traceproof {} (OTLP schema: opentelemetry-proto {} from PyPI)",
                                   TRACEPROOF_VERSION, TRACEPROOF_OTLP_PROTO_VERSION));
  CommandContext context;
  CommandRun sink = AddSinkCommand(app);
  CommandRun bench = AddBenchCommand(app, context);
  CommandRun serve = AddServeCommand(app);
  CommandRun validate = AddValidateCommand(app);
  CommandRun run = AddRunCommand(app, context);
  CommandRun broker = AddBrokerCommand(app, context);
  CommandRun check = AddCheckCommand(app);
  CommandRun report = AddReportCommand(app);
  CommandRun compare = AddCompareCommand(app);
  CommandRun merge = AddMergeCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  // First, before any thread or child exists: the subcommands that start processes register
  // every one with it.
  std::unique_ptr<Reaper> reaper;
  if (app.got_subcommand("run") || app.got_subcommand("bench") || app.got_subcommand("broker")) {
    std::string error;
    reaper = StartReaper({}, error);
    if (!reaper)
      std::cerr << "traceproof: no reaper (" << error
                << "): processes it starts may outlive a killed traceproof\n";
    context.reaper = reaper.get();
  }
  try {
    if (app.got_subcommand("sink")) return sink();
    if (app.got_subcommand("bench")) return bench();
    if (app.got_subcommand("serve")) return serve();
    if (app.got_subcommand("validate")) return validate();
    if (app.got_subcommand("run")) return run();
    if (app.got_subcommand("broker")) return broker();
    if (app.got_subcommand("check")) return check();
    if (app.got_subcommand("report")) return report();
    if (app.got_subcommand("compare")) return compare();
    if (app.got_subcommand("merge")) return merge();
  } catch (const std::exception& e) {
    std::cerr << "traceproof: " << e.what() << "\n";
    return kExitEnvironment;
  }
  return kExitUsage;
}
