// What a person wants to see of one span when they point at it in a waterfall: its attributes
// and its resource's, its events (an exception's message first of all), its links, decoded
// from the span's bytes on demand (otlp/span_details.h). Values are written as a selector
// writes them (checks' AttributeText), so what the report shows can be pasted into a check.
// Pure function; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "otlp/span_view.h"

namespace traceproof {

struct SpanLinkTarget {
  std::string trace_id_hex;
  std::string span_id_hex;
};

struct SpanSummary {
  bool decoded = true;  // false: the span's attribute bytes are corrupt (shown as such)
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<std::pair<std::string, std::string>> resource;
  std::vector<std::string> events;  // "exception +12.0 ms: exception.type=..., ..."
  std::vector<SpanLinkTarget> links;
  // The first exception event's exception.message, else the status message ("" for neither).
  std::string error_message;
};

SpanSummary SummarizeSpan(const SpanView& span);

}  // namespace traceproof
