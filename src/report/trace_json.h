// A trace as one JSON object, the line format of `--dump` files (traces.jsonl): every span with
// all its attributes, events, links, resource attributes and scope, ids in lowercase hex (as
// OTLP/JSON writes them), plus the trace's shape (roots, orphans). This is where the lazily kept
// span bytes are decoded in full. A trace completes once; spans that reach the sink after
// that are written as an update record: {"trace_id", "update": true, "late_spans": N, "spans":
// only the new ones}, without shape fields. Readers fold updates into their trace
// (report/trace_records.h), which recomputes the shape. Keys are in byte order, as nlohmann
// writes them, and readers rely on it (report/report_traces.cc). Pure functions, thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "store/trace.h"

namespace traceproof {

// The record appended to `out`, no newline: written straight as text (otlp/json_writer.h),
// since the run writes one per trace on the sink's hot path.
void AppendTraceJson(const Trace& trace, std::string& out);

// The same record as a document, for tests and readers that want one.
nlohmann::json TraceToJson(const Trace& trace);

}  // namespace traceproof
