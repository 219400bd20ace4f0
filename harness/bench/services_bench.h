// `traceproof bench services`: the checkout-baseline preset's mock services driven by the load
// generator, spans exported to an embedded sink in the same process, reporting req/s, spans/s
// and loss (spans the services started vs spans the sink accepted), first as fast as answers
// come, then open loop at a fixed rate (issue 4: >= 10 k req/s, zero loss). The peer, measured
// in the same run: a stdlib-HTTP Python app traced with the official OpenTelemetry Python SDK,
// emitting the same span tree per request (harness/bench/python_checkout_peer.py).
#pragma once

#include "commands.h"

namespace traceproof {

CommandRun AddServicesBench(CLI::App& bench, const CommandContext& context);

}  // namespace traceproof
