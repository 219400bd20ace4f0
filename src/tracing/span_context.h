// The identity of a span as it travels between services (W3C Trace Context): trace id, span
// id, trace flags and tracestate. Plain value; thread-safe to copy and read.
#pragma once

#include <cstdint>
#include <string>

#include "otlp/ids.h"

namespace traceproof {

struct SpanContext {
  TraceId trace_id;
  SpanId span_id;
  std::uint8_t trace_flags = 0;  // bit 0: sampled
  std::string trace_state;       // validated W3C tracestate, as it goes on the wire
  bool is_remote = false;        // extracted from a carrier rather than created here

  bool IsValid() const { return trace_id.IsValid() && span_id.IsValid(); }
  bool sampled() const { return (trace_flags & 0x01) != 0; }
};

}  // namespace traceproof
