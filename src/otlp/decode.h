// Decodes an OTLP ExportTraceServiceRequest (protobuf wire bytes) into SpanViews for the trace
// store. Called by both receivers on their own threads; a pure function, thread-safe.
//
// Only the fields the store indexes are decoded (ids, name, kind, times, status, service.name,
// scope name); attributes, events and links stay as byte ranges and are decoded on demand by
// span_details.h. Consequently corruption inside an attribute is found when that span is read,
// not on ingest; corruption of anything the decoder walks is a malformed request, reported with
// the path of the field, e.g. "resource_spans[0].scope_spans[2].spans[7].name: length 900
// exceeds the 20 bytes left". Spans with invalid ids are not fatal: they are rejected one by
// one (OTLP partial success) and the rest of the request is accepted.
#pragma once

#include <memory>
#include <string>

#include "otlp/refusal.h"
#include "otlp/span_view.h"

namespace traceproof {

struct DecodeResult {
  std::string error;             // non-empty: the whole request is malformed
  SpanBatch batch;               // the spans that passed validation
  std::uint64_t spans_seen = 0;  // every span decoded, accepted or not
  std::uint64_t spans_rejected = 0;
  RefusalCounts rejected_by_reason{};
  std::string first_rejection;  // e.g. "resource_spans[0]...spans[3].trace_id: 15 bytes, want 16"

  bool ok() const { return error.empty(); }
};

DecodeResult DecodeExportRequest(std::shared_ptr<const std::string> bytes);

}  // namespace traceproof
