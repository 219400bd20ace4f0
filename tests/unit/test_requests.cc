#include "test_requests.h"

#include <stdexcept>

#include "otlp/decode.h"

namespace traceproof::testing {

std::string Bytes(std::size_t n, char fill) { return std::string(n, fill); }

std::string TraceIdBytes(int n) {
  std::string id(16, '\x11');
  id[15] = static_cast<char>(n & 0xFF);
  id[14] = static_cast<char>((n >> 8) & 0xFF);
  return id;
}

std::string SpanIdBytes(int n) {
  std::string id(8, '\x22');
  id[7] = static_cast<char>(n & 0xFF);
  id[6] = static_cast<char>((n >> 8) & 0xFF);
  return id;
}

pbt::Span* AddSpan(pbc::ExportTraceServiceRequest& request, const std::string& service,
                   const std::string& name, int trace, int span, int parent,
                   std::uint64_t start_ns, std::uint64_t end_ns) {
  pbt::ResourceSpans* rs = nullptr;
  for (auto& candidate : *request.mutable_resource_spans()) {
    for (const auto& kv : candidate.resource().attributes()) {
      if (kv.key() == "service.name" && kv.value().string_value() == service) rs = &candidate;
    }
  }
  if (!rs) {
    rs = request.add_resource_spans();
    auto* kv = rs->mutable_resource()->add_attributes();
    kv->set_key("service.name");
    kv->mutable_value()->set_string_value(service);
    rs->add_scope_spans()->mutable_scope()->set_name("test-scope");
  }
  auto* s = rs->mutable_scope_spans(0)->add_spans();
  s->set_trace_id(TraceIdBytes(trace));
  s->set_span_id(SpanIdBytes(span));
  if (parent) s->set_parent_span_id(SpanIdBytes(parent));
  s->set_name(name);
  s->set_kind(pbt::Span::SPAN_KIND_SERVER);
  s->set_start_time_unix_nano(start_ns);
  s->set_end_time_unix_nano(end_ns);
  return s;
}

std::shared_ptr<const std::string> Serialize(const pbc::ExportTraceServiceRequest& request) {
  return std::make_shared<const std::string>(request.SerializeAsString());
}

SpanBatch MakeBatch(std::initializer_list<SpanSpec> specs) {
  pbc::ExportTraceServiceRequest request;
  for (const auto& s : specs) AddSpan(request, s.service, s.name, s.trace, s.span, s.parent, s.start_ns, s.end_ns);
  DecodeResult r = DecodeExportRequest(Serialize(request));
  if (!r.ok()) throw std::runtime_error(r.error);
  return std::move(r.batch);
}

}  // namespace traceproof::testing
