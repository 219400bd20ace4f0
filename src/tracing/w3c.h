// W3C Trace Context (traceparent, tracestate) and W3C Baggage propagation, strict per the
// specs: lowercase hex only, all-zero ids invalid, version ff invalid, future versions parsed by
// their version-00 prefix, an invalid traceparent means "no parent" (new trace) and its
// tracestate is dropped; tracestate holds at most 32 members; baggage at most 64 members and
// 8192 bytes. Used by mock services on every hop (HTTP headers, queue message headers), so it is
// allocation-light. Pure functions; thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "tracing/baggage.h"
#include "tracing/span_context.h"

namespace traceproof::w3c {

// nullopt when the header is invalid. The result has is_remote = true and empty trace_state.
std::optional<SpanContext> ParseTraceparent(std::string_view header);
// "00-<trace id>-<span id>-<flags>"
std::string FormatTraceparent(const SpanContext& context);

// The validated tracestate to carry on, or nullopt when the header is invalid (then it is
// dropped whole, as the spec says). Handles multiple header values joined with ','.
std::optional<std::string> ParseTracestate(std::string_view header);

// Entries beyond the limits are dropped, invalid members skipped; never fails.
Baggage ParseBaggage(std::string_view header);
std::string FormatBaggage(const Baggage& baggage);  // "" when empty

// Header access for any carrier (Beast request, AMQP table, in-process message). A carrier
// that holds a header several times (tracestate may be split) joins the values with ",".
using HeaderGetter = std::function<std::optional<std::string_view>(std::string_view name)>;
using HeaderSetter = std::function<void(std::string_view name, std::string_view value)>;

struct Extracted {
  std::optional<SpanContext> parent;  // with trace_state filled from tracestate when valid
  Baggage baggage;
};
Extracted Extract(const HeaderGetter& get);
// Writes traceparent, tracestate (if any) and baggage (if any).
void Inject(const SpanContext& context, const Baggage& baggage, const HeaderSetter& set);

}  // namespace traceproof::w3c
