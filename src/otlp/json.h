// OTLP/JSON support for the HTTP receiver. A JSON request is turned into protobuf wire bytes so
// that both encodings go through one decoder and one set of validation rules. The conversion
// uses protobuf's own JSON parser (lowerCamelCase and snake_case keys, enums as names or ints,
// int64 as strings or numbers, unknown fields ignored) after rewriting the one thing OTLP/JSON
// does differently from the canonical protobuf JSON mapping: trace and span ids are hex, not
// base64 (OTLP spec, "JSON Protobuf Encoding"). Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace traceproof {

struct JsonToProtoResult {
  std::string error;  // non-empty: names the field, e.g. "resourceSpans[0]...spans[2].traceId: ..."
  std::string bytes;  // serialized ExportTraceServiceRequest
  bool ok() const { return error.empty(); }
};

JsonToProtoResult OtlpJsonToProto(std::string_view json);

// ExportTraceServiceResponse in OTLP/JSON; partial_success only when something was rejected.
std::string ExportResponseJson(std::uint64_t rejected_spans, std::string_view error_message);
// The same response as protobuf wire bytes.
std::string ExportResponseProto(std::uint64_t rejected_spans, std::string_view error_message);

}  // namespace traceproof
