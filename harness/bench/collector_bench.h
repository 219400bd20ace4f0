// `traceproof bench collector CONFIG [CONFIG...]`: Collector configs side by side on the same
// machine, each against the same synthetic span load (OTLP/HTTP protobuf exports of realistic
// traces, open loop), with the embedded sink alone as the peer measured in the same run. For
// each: the maximum sustainable rate (highest spans/s with zero loss, the generator on schedule
// and the exporter queue not growing; doubling, then bisection), the Collector's CPU % per
// 10 k spans/s and peak RSS, and the loss at 1.5x that rate. Prints a table, writes bench.json
// and bench.svg (offered vs delivered spans/s per target, CPU and RSS) to the results folder.
// A trial's drain is the run's (run/drain.h): it follows the Collector's own metrics until it
// holds nothing of that trial; a tail sampler's deliberate drops are counted as sampled out,
// never as loss. Runs on main's thread, once per command.
#pragma once

#include "commands.h"

namespace traceproof {

CommandRun AddCollectorBench(CLI::App& bench, const CommandContext& context);

}  // namespace traceproof
