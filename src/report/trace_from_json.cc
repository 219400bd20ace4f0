#include "report/trace_from_json.h"

#include <absl/strings/escaping.h>

#include "otlp/span_details.h"

namespace traceproof {
namespace {

using nlohmann::json;

struct Bad {
  std::string field;
};

std::string Field(const json& obj, const char* key) {
  const auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

template <typename Id>
Id IdField(const json& obj, const char* key, const std::string& where, bool optional = false) {
  const std::string hex = Field(obj, key);
  if (optional && hex.empty()) return Id{};
  const auto id = Id::FromHex(hex);
  if (!id) throw Bad{where + key + ": not " + std::to_string(2 * Id::kSize) + " hex digits"};
  return *id;
}

// A link's id as TraceToJson wrote it (hex of whatever bytes the span had); empty if not hex.
std::string RawId(const std::string& hex) {
  if (hex.size() % 2 != 0) return {};
  for (char c : hex)
    if (TraceId::HexValue(c) < 0) return {};
  return absl::HexStringToBytes(hex);
}

void ToAnyValue(const json& v, pb::AnyValue& out) {
  if (v.is_string()) {
    out.set_string_value(v.get<std::string>());
  } else if (v.is_boolean()) {
    out.set_bool_value(v.get<bool>());
  } else if (v.is_number_integer()) {
    out.set_int_value(v.get<std::int64_t>());
  } else if (v.is_number()) {
    out.set_double_value(v.get<double>());
  } else if (v.is_array()) {
    for (const json& e : v) ToAnyValue(e, *out.mutable_array_value()->add_values());
  } else if (v.is_object()) {
    for (const auto& [k, e] : v.items()) {
      auto* kv = out.mutable_kvlist_value()->add_values();
      kv->set_key(k);
      ToAnyValue(e, *kv->mutable_value());
    }
  }
}

template <typename KeyValues>
void ToAttributes(const json& obj, KeyValues& out) {
  if (!obj.is_object()) return;
  for (const auto& [k, v] : obj.items()) {
    auto* kv = out.Add();
    kv->set_key(k);
    ToAnyValue(v, *kv->mutable_value());
  }
}

SpanKind KindOf(const std::string& name) {
  for (auto k : {SpanKind::kInternal, SpanKind::kServer, SpanKind::kClient, SpanKind::kProducer,
                 SpanKind::kConsumer})
    if (SpanKindName(k) == name) return k;
  return SpanKind::kUnspecified;
}

StatusCode StatusOf(const std::string& name) {
  for (auto c : {StatusCode::kOk, StatusCode::kError})
    if (StatusCodeName(c) == name) return c;
  return StatusCode::kUnset;
}

std::uint64_t Number(const json& obj, const char* key) {
  const auto it = obj.find(key);
  if (it == obj.end()) return 0;
  if (it->is_number_unsigned()) return it->get<std::uint64_t>();
  if (it->is_number_integer()) return static_cast<std::uint64_t>(it->get<std::int64_t>());
  return 0;
}

void FillDetails(const json& s, pb::Span& span, pb::Resource& resource,
                 pb::InstrumentationScope& scope) {
  span.set_trace_state(Field(s, "trace_state"));
  span.set_flags(static_cast<std::uint32_t>(Number(s, "flags")));
  ToAttributes(s.value("attributes", json::object()), *span.mutable_attributes());
  span.set_dropped_attributes_count(
      static_cast<std::uint32_t>(Number(s, "dropped_attributes_count")));
  for (const json& e : s.value("events", json::array())) {
    auto* ev = span.add_events();
    ev->set_name(Field(e, "name"));
    ev->set_time_unix_nano(Number(e, "time_unix_nano"));
    ToAttributes(e.value("attributes", json::object()), *ev->mutable_attributes());
  }
  for (const json& l : s.value("links", json::array())) {
    auto* link = span.add_links();
    link->set_trace_id(RawId(Field(l, "trace_id")));
    link->set_span_id(RawId(Field(l, "span_id")));
    link->set_trace_state(Field(l, "trace_state"));
    ToAttributes(l.value("attributes", json::object()), *link->mutable_attributes());
  }
  const json sc = s.value("scope", json::object());
  scope.set_name(Field(sc, "name"));
  scope.set_version(Field(sc, "version"));
  ToAttributes(sc.value("attributes", json::object()), *scope.mutable_attributes());
  ToAttributes(s.value("resource", json::object()).value("attributes", json::object()),
               *resource.mutable_attributes());
}

// One span: its protobuf bytes, resource and scope, and the strings its view names, all in
// one buffer the trace keeps.
void AddSpan(const json& s, const std::string& where, Trace& trace) {
  if (!s.is_object()) throw Bad{where + ": not an object"};
  pb::Span span;
  pb::Resource resource;
  pb::InstrumentationScope scope;
  SpanView v;
  v.trace_id = IdField<TraceId>(s, "trace_id", where);
  v.span_id = IdField<SpanId>(s, "span_id", where);
  v.parent_span_id = IdField<SpanId>(s, "parent_span_id", where, /*optional=*/true);
  v.start_unix_ns = Number(s, "start_time_unix_nano");
  v.end_unix_ns = Number(s, "end_time_unix_nano");
  v.kind = KindOf(Field(s, "kind"));
  const json status = s.value("status", json::object());
  v.status = StatusOf(Field(status, "code"));
  span.set_trace_id(std::string(reinterpret_cast<const char*>(v.trace_id.bytes.data()), 16));
  span.set_span_id(std::string(reinterpret_cast<const char*>(v.span_id.bytes.data()), 8));
  if (v.parent_span_id.IsValid())
    span.set_parent_span_id(
        std::string(reinterpret_cast<const char*>(v.parent_span_id.bytes.data()), 8));
  span.set_name(Field(s, "name"));
  span.set_kind(static_cast<pb::Span::SpanKind>(v.kind));
  span.set_start_time_unix_nano(v.start_unix_ns);
  span.set_end_time_unix_nano(v.end_unix_ns);
  span.mutable_status()->set_code(
      static_cast<opentelemetry::proto::trace::v1::Status::StatusCode>(v.status));
  span.mutable_status()->set_message(Field(status, "message"));
  if (!s.contains("decode_error")) FillDetails(s, span, resource, scope);
  const std::string parts[] = {span.SerializeAsString(),
                               resource.SerializeAsString(),
                               scope.SerializeAsString(),
                               span.name(),
                               span.status().message(),
                               Field(s, "service_name"),
                               scope.name()};
  auto buffer = std::make_shared<std::string>();
  std::size_t offsets[8] = {0};
  for (std::size_t i = 0; i < 7; ++i) {
    *buffer += parts[i];
    offsets[i + 1] = buffer->size();
  }
  const std::string_view all(*buffer);
  auto part = [&](std::size_t i) { return all.substr(offsets[i], offsets[i + 1] - offsets[i]); };
  v.raw = part(0);
  v.resource_raw = part(1);
  v.scope_raw = part(2);
  v.name = part(3);
  v.status_message = part(4);
  v.service_name = part(5);
  v.scope_name = part(6);
  trace.spans.push_back(v);
  trace.buffers.push_back(std::move(buffer));
}

}  // namespace

std::optional<std::shared_ptr<const Trace>> TraceFromJson(const json& record, std::string& error) {
  try {
    if (!record.is_object()) throw Bad{"record: not an object"};
    auto trace = std::make_shared<Trace>();
    trace->id = IdField<TraceId>(record, "trace_id", "");
    const auto spans = record.find("spans");
    if (spans == record.end() || !spans->is_array()) throw Bad{"spans: missing"};
    for (std::size_t i = 0; i < spans->size(); ++i)
      AddSpan((*spans)[i], "spans[" + std::to_string(i) + "].", *trace);
    const int times = static_cast<int>(Number(record, "times_completed"));
    trace->times_completed = std::max(times, 1);
    trace->handed_out = trace->spans.size();
    if (record.value("update", false)) {
      // The run let the trace go once handed out: its late spans came as a trace of their own.
      trace->follows_evicted = true;
    }
    return std::shared_ptr<const Trace>(std::move(trace));
  } catch (const Bad& bad) {
    error = bad.field;
  } catch (const json::exception& e) {
    error = e.what();
  }
  return std::nullopt;
}

}  // namespace traceproof
