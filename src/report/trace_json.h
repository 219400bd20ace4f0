// A trace as one JSON object, the line format of `--dump` files (traces.jsonl): every span with
// all its attributes, events, links, resource attributes and scope, ids in lowercase hex (as
// OTLP/JSON writes them), plus the trace's shape (roots, orphans). This is where the lazily kept
// span bytes are decoded in full. A trace completes once; spans that reach the sink after
// that are written as an update record: {"trace_id", "update": true, "late_spans": N, "spans":
// only the new ones}, without shape fields. Readers fold updates into their trace
// (report/trace_records.h), which recomputes the shape. Pure function, thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "store/trace.h"

namespace traceproof {

nlohmann::json TraceToJson(const Trace& trace);

}  // namespace traceproof
