// A trace as one JSON object, the line format of `--dump` files (traces.jsonl): every span with
// all its attributes, events, links, resource attributes and scope, ids in lowercase hex (as
// OTLP/JSON writes them), plus the trace's shape (roots, orphans). This is where the lazily kept
// span bytes are decoded in full. Pure function, thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "store/trace.h"

namespace traceproof {

nlohmann::json TraceToJson(const Trace& trace);

}  // namespace traceproof
