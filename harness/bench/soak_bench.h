// `traceproof bench soak`: a long `traceproof run` of the product itself, in this process, while
// a sampler thread records this process's RSS and CPU every second (bench/soak_sampler.h). A
// span-load phase (--spans) or the checkout-baseline services (--services) at a fixed rate, with
// the run's own throughput (and, for services, propagation) checks. It reports the RSS curve,
// the growth after minute 1 (issue 14: a run of any length in bounded memory), peak RSS, mean
// CPU and where every span went (bench/soak_accounting.h); it exits 0 only when the growth is
// under the bound, no span was lost, the counts add up and the checks pass. The peer is the
// run's own first minute. Registered by bench_command.cc; its callback runs on main's thread.
#pragma once

#include "commands.h"

namespace traceproof {

CommandRun AddSoakBench(CLI::App& bench, const CommandContext& context);

}  // namespace traceproof
