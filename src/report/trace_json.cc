#include "report/trace_json.h"

#include <absl/strings/escaping.h>

#include <algorithm>
#include <vector>

#include "otlp/json_writer.h"
#include "otlp/span_details.h"
#include "store/trace_shape.h"

namespace traceproof {
namespace {

std::string HexBytes(const std::string& raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xF];
  }
  return out;
}

template <typename KeyValues>
void WriteKeyValues(JsonWriter& w, const KeyValues& kvs);

void WriteValue(JsonWriter& w, const pb::AnyValue& v) {
  switch (v.value_case()) {
    case pb::AnyValue::kStringValue:
      return w.String(v.string_value());
    case pb::AnyValue::kBoolValue:
      return w.Bool(v.bool_value());
    case pb::AnyValue::kIntValue:
      return w.Int(v.int_value());
    case pb::AnyValue::kDoubleValue:
      return w.Double(v.double_value());
    case pb::AnyValue::kArrayValue:
      w.BeginArray();
      for (const auto& e : v.array_value().values()) WriteValue(w, e);
      return w.EndArray();
    case pb::AnyValue::kKvlistValue:
      return WriteKeyValues(w, v.kvlist_value().values());
    case pb::AnyValue::kBytesValue:
      return w.String(absl::Base64Escape(v.bytes_value()));
    default:
      return w.Null();
  }
}

// An object of key-values as a JSON object does it: keys in byte order, and of a key given
// twice the last value (what assigning into nlohmann's std::map leaves).
template <typename KeyValues>
void WriteKeyValues(JsonWriter& w, const KeyValues& kvs) {
  std::vector<const pb::KeyValue*> sorted;
  sorted.reserve(static_cast<std::size_t>(kvs.size()));
  for (const auto& kv : kvs) sorted.push_back(&kv);
  std::stable_sort(sorted.begin(), sorted.end(), [](const pb::KeyValue* a, const pb::KeyValue* b) {
    return a->key() < b->key();
  });
  w.BeginObject();
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (i + 1 < sorted.size() && sorted[i + 1]->key() == sorted[i]->key()) continue;
    w.Key(sorted[i]->key());
    WriteValue(w, sorted[i]->value());
  }
  w.EndObject();
}

template <typename KeyValues>
void WriteAttributesMember(JsonWriter& w, const KeyValues& kvs) {
  w.Key("attributes");
  WriteKeyValues(w, kvs);
}

// The fields every span has, from its view; `details` (nullptr: not decodable) adds the rest.
// Keys in byte order, the decoded ones interleaved where they sort.
void WriteSpan(JsonWriter& w, const SpanView& v, const SpanDetails* details) {
  const pb::Span* span = details ? &details->span : nullptr;
  w.BeginObject();
  if (span) WriteAttributesMember(w, span->attributes());
  if (!span)
    w.Member("decode_error", "attributes, events, links or resource are not valid protobuf");
  if (span) w.Member("dropped_attributes_count", std::uint64_t{span->dropped_attributes_count()});
  w.Key("duration_ns");
  w.Int(v.DurationNs());
  w.Member("end_time_unix_nano", std::uint64_t{v.end_unix_ns});
  if (span) {
    w.Key("events");
    w.BeginArray();
    for (const auto& e : span->events()) {
      w.BeginObject();
      WriteAttributesMember(w, e.attributes());
      w.Member("name", e.name());
      w.Member("time_unix_nano", std::uint64_t{e.time_unix_nano()});
      w.EndObject();
    }
    w.EndArray();
    w.Member("flags", std::uint64_t{span->flags()});
  }
  w.Member("kind", SpanKindName(v.kind));
  if (span) {
    w.Key("links");
    w.BeginArray();
    for (const auto& l : span->links()) {
      w.BeginObject();
      WriteAttributesMember(w, l.attributes());
      w.Member("span_id", HexBytes(l.span_id()));
      w.Member("trace_id", HexBytes(l.trace_id()));
      w.Member("trace_state", l.trace_state());
      w.EndObject();
    }
    w.EndArray();
  }
  w.Member("name", v.name);
  w.Member("parent_span_id", v.IsRoot() ? std::string() : v.parent_span_id.Hex());
  if (span) {
    w.Key("resource");
    w.BeginObject();
    WriteAttributesMember(w, details->resource.attributes());
    w.EndObject();
    w.Key("scope");
    w.BeginObject();
    WriteAttributesMember(w, details->scope.attributes());
    w.Member("name", details->scope.name());
    w.Member("version", details->scope.version());
    w.EndObject();
  }
  w.Member("service_name", v.service_name);
  w.Member("span_id", v.span_id.Hex());
  w.Member("start_time_unix_nano", std::uint64_t{v.start_unix_ns});
  w.Key("status");
  w.BeginObject();
  w.Member("code", StatusCodeName(v.status));
  w.Member("message", v.status_message);
  w.EndObject();
  w.Member("trace_id", v.trace_id.Hex());
  if (span) w.Member("trace_state", span->trace_state());
  w.EndObject();
}

void WriteSpans(JsonWriter& w, const Trace& trace, std::size_t from) {
  w.Key("spans");
  w.BeginArray();
  for (std::size_t i = from; i < trace.spans.size(); ++i) {
    // The ingest decoder does not walk attributes; a span whose rest does not decode says so
    // (decode_error) rather than being dropped silently.
    const std::optional<SpanDetails> details = DecodeSpanDetails(trace.spans[i]);
    WriteSpan(w, trace.spans[i], details ? &*details : nullptr);
  }
  w.EndArray();
}

void WriteIds(JsonWriter& w, std::string_view key, const Trace& trace,
              const std::vector<std::size_t>& indexes) {
  w.Key(key);
  w.BeginArray();
  for (std::size_t i : indexes) w.String(trace.spans[i].span_id.Hex());
  w.EndArray();
}

}  // namespace

void AppendTraceJson(const Trace& trace, std::string& out) {
  JsonWriter w(out);
  w.BeginObject();
  if (trace.IsUpdate()) {
    // Only what is new: the earlier record holds the rest, and a reader folds the two.
    w.Member("late_spans", std::uint64_t{trace.NewSpanCount()});
    WriteSpans(w, trace, trace.new_from);
    w.Key("times_completed");
    w.Int(trace.times_completed);
    w.Member("trace_id", trace.id.Hex());
    w.Key("update");
    w.Bool(true);
    w.EndObject();
    return;
  }
  const TraceShape shape = AnalyzeTrace(trace);
  WriteIds(w, "duplicate_span_ids", trace, shape.duplicates);
  WriteIds(w, "orphans", trace, shape.orphans);
  WriteIds(w, "roots", trace, shape.roots);
  WriteIds(w, "skewed_spans", trace, shape.skewed);
  WriteSpans(w, trace, 0);
  w.Key("times_completed");
  w.Int(trace.times_completed);
  w.Member("trace_id", trace.id.Hex());
  w.EndObject();
}

nlohmann::json TraceToJson(const Trace& trace) {
  std::string line;
  AppendTraceJson(trace, line);
  return nlohmann::json::parse(line);
}

}  // namespace traceproof
