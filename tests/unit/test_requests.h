// Builders for OTLP requests in tests, made with the official generated classes so test bytes
// are what a real SDK would send.
#pragma once

#include <memory>
#include <string>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/span_view.h"

namespace traceproof::testing {

namespace pbc = opentelemetry::proto::collector::trace::v1;
namespace pbt = opentelemetry::proto::trace::v1;

std::string Bytes(std::size_t n, char fill);  // n copies of fill
std::string TraceIdBytes(int n);              // 16 bytes, distinct per n, never zero
std::string SpanIdBytes(int n);               // 8 bytes, distinct per n, never zero

// Adds a span to request.resource_spans[0].scope_spans[0] (created on first use).
pbt::Span* AddSpan(pbc::ExportTraceServiceRequest& request, const std::string& service,
                   const std::string& name, int trace, int span, int parent = 0,
                   std::uint64_t start_ns = 1000, std::uint64_t end_ns = 2000);

std::shared_ptr<const std::string> Serialize(const pbc::ExportTraceServiceRequest& request);

// A SpanBatch with spans built from (trace, span, parent, start, end) tuples, for store tests.
struct SpanSpec {
  int trace, span, parent;
  std::uint64_t start_ns = 1000, end_ns = 2000;
  const char* service = "svc";
  const char* name = "op";
};
SpanBatch MakeBatch(std::initializer_list<SpanSpec> specs);

}  // namespace traceproof::testing
