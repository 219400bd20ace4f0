// Reading traces.jsonl / `sink --dump` files back: a trace is one record, then an update
// record (`"update": true`, only the late spans) for every later completion. FoldTraceRecords
// gives each trace once, whole, with its shape (roots, orphans, duplicate span ids, skewed
// spans) recomputed from all its spans, so a parent that arrived late is no orphan. Every
// reader of those files folds first (the Python readers use tests/interop/procs.py's
// fold_updates, which does the same). Pure functions, thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

namespace traceproof {

// The shape fields of a trace record, from its "spans" (span_id, parent_span_id and times as
// TraceToJson writes them), with the same rules as AnalyzeTrace.
nlohmann::json ShapeOfSpans(const nlohmann::json& spans);

// Each update folded into the record of its trace (its shape recomputed), in file order; an
// update without an earlier record (its trace was written elsewhere) stays an update, and a
// second whole record of one trace stays separate (that is a sink bug to see, not to hide).
// "late_spans" counts what updates added (0 for a trace written whole, which keeps the shape
// the sink wrote).
std::vector<nlohmann::json> FoldTraceRecords(const std::vector<nlohmann::json>& records);

}  // namespace traceproof
