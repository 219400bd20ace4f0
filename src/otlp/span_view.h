// The sink's in-memory form of a received span: the fields every check needs, decoded once on
// ingest, plus views into the request bytes for everything else (attributes, events, links,
// resource and scope attributes), decoded only when a report or check asks for them. Keeping
// the request bytes instead of materializing every attribute is what lets ingest run near raw
// protobuf parse speed. A SpanView is only valid while the SpanBatch that owns its bytes lives.
// Plain data; not synchronized.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "otlp/ids.h"

namespace traceproof {

// Values as in opentelemetry.proto.trace.v1.Span.SpanKind.
enum class SpanKind : std::uint8_t {
  kUnspecified = 0,
  kInternal = 1,
  kServer = 2,
  kClient = 3,
  kProducer = 4,
  kConsumer = 5,
};
// Values as in opentelemetry.proto.trace.v1.Status.StatusCode.
enum class StatusCode : std::uint8_t { kUnset = 0, kOk = 1, kError = 2 };

std::string_view SpanKindName(SpanKind kind);
std::string_view StatusCodeName(StatusCode code);

struct SpanView {
  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;  // all zero: the span claims to be a root
  std::uint64_t start_unix_ns = 0;
  std::uint64_t end_unix_ns = 0;
  SpanKind kind = SpanKind::kUnspecified;
  StatusCode status = StatusCode::kUnset;
  std::string_view name;
  std::string_view status_message;
  std::string_view service_name;  // resource attribute service.name; empty when absent
  std::string_view scope_name;
  std::string_view raw;           // serialized opentelemetry.proto.trace.v1.Span
  std::string_view resource_raw;  // serialized opentelemetry.proto.resource.v1.Resource
  std::string_view scope_raw;     // serialized InstrumentationScope

  bool IsRoot() const { return !parent_span_id.IsValid(); }
  std::int64_t DurationNs() const {
    return static_cast<std::int64_t>(end_unix_ns) - static_cast<std::int64_t>(start_unix_ns);
  }
};

// One decoded export request. `bytes` owns the memory every view points into; the trace store
// keeps it alive for as long as any of its spans is stored.
struct SpanBatch {
  std::shared_ptr<const std::string> bytes;
  std::vector<SpanView> spans;
};

}  // namespace traceproof
