// `traceproof bench tracer`: ns per span for start + 5 attributes + end + batch-processor
// enqueue in traceproof's tracer, beside the official Node SDK doing the same work in the same
// run (node_modules from scripts/bootstrap).
#pragma once

#include "commands.h"

namespace traceproof {

CommandRun AddTracerBench(CLI::App& bench);

}  // namespace traceproof
