#include "report/trace_json.h"

#include <absl/strings/escaping.h>

#include "otlp/span_details.h"
#include "store/trace_shape.h"

namespace traceproof {
namespace {

using nlohmann::json;

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

json ValueToJson(const pb::AnyValue& v) {
  switch (v.value_case()) {
    case pb::AnyValue::kStringValue:
      return v.string_value();
    case pb::AnyValue::kBoolValue:
      return v.bool_value();
    case pb::AnyValue::kIntValue:
      return v.int_value();
    case pb::AnyValue::kDoubleValue:
      return v.double_value();
    case pb::AnyValue::kArrayValue: {
      json arr = json::array();
      for (const auto& e : v.array_value().values()) arr.push_back(ValueToJson(e));
      return arr;
    }
    case pb::AnyValue::kKvlistValue: {
      json obj = json::object();
      for (const auto& kv : v.kvlist_value().values()) obj[kv.key()] = ValueToJson(kv.value());
      return obj;
    }
    case pb::AnyValue::kBytesValue:
      return absl::Base64Escape(v.bytes_value());
    default:
      return nullptr;
  }
}

template <typename KeyValues>
json AttributesToJson(const KeyValues& kvs) {
  json obj = json::object();
  for (const auto& kv : kvs) obj[kv.key()] = ValueToJson(kv.value());
  return obj;
}

json SpanToJson(const SpanView& v) {
  json s = {
      {"trace_id", v.trace_id.Hex()},
      {"span_id", v.span_id.Hex()},
      {"parent_span_id", v.IsRoot() ? "" : v.parent_span_id.Hex()},
      {"name", std::string(v.name)},
      {"kind", std::string(SpanKindName(v.kind))},
      {"start_time_unix_nano", v.start_unix_ns},
      {"end_time_unix_nano", v.end_unix_ns},
      {"duration_ns", v.DurationNs()},
      {"status",
       {{"code", std::string(StatusCodeName(v.status))},
        {"message", std::string(v.status_message)}}},
      {"service_name", std::string(v.service_name)},
  };
  auto details = DecodeSpanDetails(v);
  if (!details) {
    // The ingest decoder does not walk attributes; say so rather than drop the span silently.
    s["decode_error"] = "attributes, events, links or resource are not valid protobuf";
    return s;
  }
  const pb::Span& span = details->span;
  s["trace_state"] = span.trace_state();
  s["flags"] = span.flags();
  s["scope"] = {{"name", details->scope.name()},
                {"version", details->scope.version()},
                {"attributes", AttributesToJson(details->scope.attributes())}};
  s["attributes"] = AttributesToJson(span.attributes());
  s["dropped_attributes_count"] = span.dropped_attributes_count();
  json events = json::array();
  for (const auto& e : span.events()) {
    events.push_back({{"name", e.name()},
                      {"time_unix_nano", e.time_unix_nano()},
                      {"attributes", AttributesToJson(e.attributes())}});
  }
  s["events"] = std::move(events);
  json links = json::array();
  for (const auto& l : span.links()) {
    links.push_back({{"trace_id", HexBytes(l.trace_id())},
                     {"span_id", HexBytes(l.span_id())},
                     {"trace_state", l.trace_state()},
                     {"attributes", AttributesToJson(l.attributes())}});
  }
  s["links"] = std::move(links);
  s["resource"] = {{"attributes", AttributesToJson(details->resource.attributes())}};
  return s;
}

}  // namespace

json TraceToJson(const Trace& trace) {
  if (trace.IsUpdate()) {
    // Only what is new: the earlier record holds the rest, and a reader folds the two.
    json spans = json::array();
    for (std::size_t i = trace.new_from; i < trace.spans.size(); ++i)
      spans.push_back(SpanToJson(trace.spans[i]));
    return {{"trace_id", trace.id.Hex()},
            {"update", true},
            {"late_spans", trace.NewSpanCount()},
            {"spans", std::move(spans)},
            {"times_completed", trace.times_completed}};
  }
  TraceShape shape = AnalyzeTrace(trace);
  json spans = json::array();
  for (const SpanView& v : trace.spans) spans.push_back(SpanToJson(v));
  auto ids = [&](const std::vector<std::size_t>& idx) {
    json arr = json::array();
    for (std::size_t i : idx) arr.push_back(trace.spans[i].span_id.Hex());
    return arr;
  };
  return {{"trace_id", trace.id.Hex()},
          {"spans", std::move(spans)},
          {"roots", ids(shape.roots)},
          {"orphans", ids(shape.orphans)},
          {"duplicate_span_ids", ids(shape.duplicates)},
          {"skewed_spans", ids(shape.skewed)},
          {"times_completed", trace.times_completed}};
}

}  // namespace traceproof
