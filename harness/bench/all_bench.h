// `traceproof bench all [--quick]`: every benchmark with its peer, each in a process of its own
// (`traceproof bench NAME --figures-json`, bench/bench_figures.h: a bench measures its own
// process's CPU and RSS), then one table of figure, peer, ratio, goal and met / not met, and
// `--json` for a machine. Issue 17's table comes from one run of it. Registered by
// bench_command.cc; its callback runs on main's thread.
#pragma once

#include "commands.h"

namespace traceproof {

CommandRun AddAllBench(CLI::App& bench, const CommandContext& context);

}  // namespace traceproof
