// A trace record of traces.jsonl (report/trace_json.h) read back into the Trace the sink had
// handed out, so `traceproof check` feeds recorded runs to the same check tallies the run fed:
// each span is rebuilt as OTLP protobuf bytes (attributes with their JSON types: integers as
// int, fractions as double; events, links, scope, resource, trace state, flags) behind a
// SpanView, and an update record (`"update": true`) becomes an update of late spans
// (follows_evicted), as the streaming run saw it. Pure functions, thread-safe.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "store/trace.h"

namespace traceproof {

// nullopt with `error` naming the field ("spans[3].span_id: not 16 hex digits") for a record
// TraceToJson did not write.
std::optional<std::shared_ptr<const Trace>> TraceFromJson(const nlohmann::json& record,
                                                          std::string& error);

}  // namespace traceproof
