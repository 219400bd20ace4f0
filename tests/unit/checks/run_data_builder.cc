#include "checks/run_data_builder.h"

#include <map>
#include <stdexcept>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/decode.h"

namespace traceproof::testing {

namespace pbc = opentelemetry::proto::collector::trace::v1;
namespace pbt = opentelemetry::proto::trace::v1;

using SpanRef = RunDataBuilder::SpanRef;

RunDataBuilder::SpanSpec& SpanRef::spec() { return b_.spans_.at(index_); }
SpanRef& SpanRef::Kind(SpanKind kind) { return spec().kind = kind, *this; }
SpanRef& SpanRef::Status(StatusCode status) { return spec().status = status, *this; }
SpanRef& SpanRef::Times(double start_ms, double end_ms) {
  return TimesNs(static_cast<std::uint64_t>(start_ms * 1e6),
                 static_cast<std::uint64_t>(end_ms * 1e6));
}
SpanRef& SpanRef::TimesNs(std::uint64_t start_ns, std::uint64_t end_ns) {
  spec().start_ns = start_ns;
  spec().end_ns = end_ns;
  return *this;
}
SpanRef& SpanRef::Parent(int span) { return spec().parent = span, *this; }
SpanRef& SpanRef::ExpectedParent(int span) { return spec().expected_parent = span, *this; }
SpanRef& SpanRef::NotSampled() {
  spec().sampled = spec().exported = spec().in_sink = false;
  return *this;
}
SpanRef& SpanRef::Lost() { return spec().in_sink = false, *this; }
SpanRef& SpanRef::TraceState(std::string state) {
  return spec().trace_state = std::move(state), *this;
}
SpanRef& SpanRef::Fault(std::string fault) {
  spec().faults.push_back(std::move(fault));
  return *this;
}
SpanRef& SpanRef::Attr(std::string key, AttrValue value) {
  spec().attributes.emplace_back(std::move(key), std::move(value));
  return *this;
}
int SpanRef::Id() const { return b_.spans_.at(index_).id; }

int RunDataBuilder::NewTrace(std::optional<std::uint64_t> request_id) {
  request_of_trace_.push_back(request_id.value_or(1000 + request_of_trace_.size() + 1));
  return static_cast<int>(request_of_trace_.size());
}

SpanRef RunDataBuilder::Span(std::string service, std::string name) {
  if (request_of_trace_.empty()) throw std::logic_error("RunDataBuilder: NewTrace() first");
  SpanSpec s;
  s.id = static_cast<int>(spans_.size()) + 1;
  s.trace = static_cast<int>(request_of_trace_.size());
  s.request_id = request_of_trace_.back();
  s.service = std::move(service);
  s.name = std::move(name);
  spans_.push_back(std::move(s));
  return SpanRef(*this, spans_.size() - 1);
}

TraceId RunDataBuilder::TraceIdOf(int trace) {
  TraceId id;
  id.bytes.fill(0x11);
  id.bytes[14] = static_cast<std::uint8_t>(trace >> 8);
  id.bytes[15] = static_cast<std::uint8_t>(trace);
  return id;
}

SpanId RunDataBuilder::SpanIdOf(int span) {
  SpanId id;
  if (span == 0) return id;  // all zero: no parent
  id.bytes.fill(0x22);
  id.bytes[6] = static_cast<std::uint8_t>(span >> 8);
  id.bytes[7] = static_cast<std::uint8_t>(span);
  return id;
}

std::uint64_t RunDataBuilder::RequestIdOf(int trace) const {
  return request_of_trace_.at(static_cast<std::size_t>(trace) - 1);
}

namespace {

std::string Raw(const auto& id) {
  return std::string(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size());
}

void SetValue(opentelemetry::proto::common::v1::AnyValue& out,
              const RunDataBuilder::AttrValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) out.set_string_value(*s);
  if (const auto* i = std::get_if<std::int64_t>(&value)) out.set_int_value(*i);
  if (const auto* b = std::get_if<bool>(&value)) out.set_bool_value(*b);
  if (const auto* d = std::get_if<double>(&value)) out.set_double_value(*d);
}

}  // namespace

RunData RunDataBuilder::Build() const {
  RunData data;
  for (const SpanSpec& s : spans_) {
    GroundTruthSpan t;
    t.request_id = s.request_id;
    t.trace_id = TraceIdOf(s.trace);
    t.span_id = SpanIdOf(s.id);
    t.parent_span_id = SpanIdOf(s.parent);
    t.expected_parent_span_id = SpanIdOf(s.expected_parent.value_or(s.parent));
    t.service = s.service;
    t.name = s.name;
    t.kind = s.kind;
    t.sampled = s.sampled;
    t.exported = s.exported;
    t.status = s.status;
    t.start_unix_ns = kBaseNs + s.start_ns;
    t.end_unix_ns = kBaseNs + s.end_ns;
    t.faults = s.faults;
    data.truth.push_back(std::move(t));
  }

  // One export request per trace, spans grouped by service into resource spans, as an SDK
  // batch would send them.
  for (int trace = 1; trace <= static_cast<int>(request_of_trace_.size()); ++trace) {
    pbc::ExportTraceServiceRequest request;
    std::map<std::string, pbt::ScopeSpans*> by_service;
    for (const SpanSpec& s : spans_) {
      if (s.trace != trace || !s.in_sink) continue;
      pbt::ScopeSpans*& scope = by_service[s.service];
      if (!scope) {
        auto* rs = request.add_resource_spans();
        if (!s.service.empty()) {
          auto* kv = rs->mutable_resource()->add_attributes();
          kv->set_key("service.name");
          kv->mutable_value()->set_string_value(s.service);
        }
        scope = rs->add_scope_spans();
        scope->mutable_scope()->set_name("run-data-builder");
      }
      pbt::Span* span = scope->add_spans();
      span->set_trace_id(Raw(TraceIdOf(s.trace)));
      span->set_span_id(Raw(SpanIdOf(s.id)));
      if (s.parent) span->set_parent_span_id(Raw(SpanIdOf(s.parent)));
      span->set_name(s.name);
      span->set_kind(static_cast<pbt::Span::SpanKind>(s.kind));
      span->set_start_time_unix_nano(kBaseNs + s.start_ns);
      span->set_end_time_unix_nano(kBaseNs + s.end_ns);
      span->set_trace_state(s.trace_state);
      span->mutable_status()->set_code(static_cast<pbt::Status::StatusCode>(s.status));
      for (const auto& [key, value] : s.attributes) {
        auto* kv = span->add_attributes();
        kv->set_key(key);
        SetValue(*kv->mutable_value(), value);
      }
    }
    if (by_service.empty()) continue;
    DecodeResult decoded =
        DecodeExportRequest(std::make_shared<const std::string>(request.SerializeAsString()));
    if (!decoded.ok() || decoded.spans_rejected) {
      throw std::runtime_error("RunDataBuilder: decoding failed: " + decoded.error +
                               decoded.first_rejection);
    }
    auto t = std::make_shared<Trace>();
    t->id = TraceIdOf(trace);
    t->spans = std::move(decoded.batch.spans);
    t->buffers.push_back(std::move(decoded.batch.bytes));
    t->times_completed = 1;
    data.traces.push_back(std::move(t));
  }
  return data;
}

}  // namespace traceproof::testing
