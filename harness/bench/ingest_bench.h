// `traceproof bench ingest`: spans/s/core through the sink's decode + store path for batches of
// typical spans, printed beside libprotobuf's own ParseFromString of the same bytes (heap and
// arena) measured in the same run.
#pragma once

#include "commands.h"

namespace traceproof {

CommandRun AddIngestBench(CLI::App& bench);
// `bench send`: the span-load sender process that `bench ingest` runs against its sink.
CommandRun AddSendBench(CLI::App& bench);

}  // namespace traceproof
