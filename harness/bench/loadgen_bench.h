// `traceproof bench loadgen`: requests/s of the load generator on one core (closed loop, as wrk
// runs) beside wrk against the same endpoint in the same run, and whether its open-loop mode
// holds a fixed rate near wrk's maximum without dropping iterations. The endpoint is
// `traceproof serve` of a one-service graph with tracing off, run as a separate process on its
// own core.
#pragma once

#include "commands.h"

namespace traceproof {

CommandRun AddLoadgenBench(CLI::App& bench, const CommandContext& context);

}  // namespace traceproof
