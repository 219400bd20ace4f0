// A span that has ended, as the tracer hands it to span processors: already encoded as an
// opentelemetry.proto.trace.v1.Span message, plus the few fields processors and the ground
// truth need without decoding. Plain data, moved along; not shared between threads.
#pragma once

#include <cstdint>
#include <string>

#include "tracing/span_context.h"

namespace traceproof {

struct FinishedSpan {
  SpanContext context;
  SpanId parent_span_id;  // all zero for a root
  std::string encoded;    // serialized opentelemetry.proto.trace.v1.Span
};

}  // namespace traceproof
