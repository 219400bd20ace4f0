// traces.jsonl lines are written as text (report/trace_json.h, otlp/json_writer.h); readers
// parse them with nlohmann and rely on its key order. The oracle here is the document the
// writer replaced, built with nlohmann and dumped as the run used to: every line must be the
// same bytes, for every kind of attribute value, awkward strings and both record forms.
#include "report/trace_json.h"

#include <absl/strings/escaping.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "otlp/decode.h"
#include "otlp/span_details.h"
#include "store/trace_shape.h"
#include "test_requests.h"

namespace traceproof {
namespace {

using nlohmann::json;
namespace pbc = testing::pbc;
namespace pbt = testing::pbt;

std::string OracleHex(const std::string& raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xF];
  }
  return out;
}

json OracleValue(const pb::AnyValue& v) {
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
      for (const auto& e : v.array_value().values()) arr.push_back(OracleValue(e));
      return arr;
    }
    case pb::AnyValue::kKvlistValue: {
      json obj = json::object();
      for (const auto& kv : v.kvlist_value().values()) obj[kv.key()] = OracleValue(kv.value());
      return obj;
    }
    case pb::AnyValue::kBytesValue:
      return absl::Base64Escape(v.bytes_value());
    default:
      return nullptr;
  }
}

template <typename KeyValues>
json OracleAttributes(const KeyValues& kvs) {
  json obj = json::object();
  for (const auto& kv : kvs) obj[kv.key()] = OracleValue(kv.value());
  return obj;
}

json OracleSpan(const SpanView& v) {
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
    s["decode_error"] = "attributes, events, links or resource are not valid protobuf";
    return s;
  }
  const pb::Span& span = details->span;
  s["trace_state"] = span.trace_state();
  s["flags"] = span.flags();
  s["scope"] = {{"name", details->scope.name()},
                {"version", details->scope.version()},
                {"attributes", OracleAttributes(details->scope.attributes())}};
  s["attributes"] = OracleAttributes(span.attributes());
  s["dropped_attributes_count"] = span.dropped_attributes_count();
  json events = json::array();
  for (const auto& e : span.events()) {
    events.push_back({{"name", e.name()},
                      {"time_unix_nano", e.time_unix_nano()},
                      {"attributes", OracleAttributes(e.attributes())}});
  }
  s["events"] = std::move(events);
  json links = json::array();
  for (const auto& l : span.links()) {
    links.push_back({{"trace_id", OracleHex(l.trace_id())},
                     {"span_id", OracleHex(l.span_id())},
                     {"trace_state", l.trace_state()},
                     {"attributes", OracleAttributes(l.attributes())}});
  }
  s["links"] = std::move(links);
  s["resource"] = {{"attributes", OracleAttributes(details->resource.attributes())}};
  return s;
}

std::string Oracle(const Trace& trace) {
  json record;
  if (trace.IsUpdate()) {
    json spans = json::array();
    for (std::size_t i = trace.new_from; i < trace.spans.size(); ++i)
      spans.push_back(OracleSpan(trace.spans[i]));
    record = {{"trace_id", trace.id.Hex()},
              {"update", true},
              {"late_spans", trace.NewSpanCount()},
              {"spans", std::move(spans)},
              {"times_completed", trace.times_completed}};
  } else {
    TraceShape shape = AnalyzeTrace(trace);
    json spans = json::array();
    for (const SpanView& v : trace.spans) spans.push_back(OracleSpan(v));
    auto ids = [&](const std::vector<std::size_t>& idx) {
      json arr = json::array();
      for (std::size_t i : idx) arr.push_back(trace.spans[i].span_id.Hex());
      return arr;
    };
    record = {{"trace_id", trace.id.Hex()},
              {"spans", std::move(spans)},
              {"roots", ids(shape.roots)},
              {"orphans", ids(shape.orphans)},
              {"duplicate_span_ids", ids(shape.duplicates)},
              {"skewed_spans", ids(shape.skewed)},
              {"times_completed", trace.times_completed}};
  }
  return record.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string Line(const Trace& trace) {
  std::string line;
  AppendTraceJson(trace, line);
  return line;
}

void Put(pb::KeyValue* kv, const std::string& key) { kv->set_key(key); }

// Every value kind, keys out of order and one twice, strings that need escaping, doubles whose
// text is easy to get wrong. (Not invalid UTF-8: libprotobuf refuses to parse such a string
// field, and the span is written with decode_error; a name below covers it.)
void AddAwkwardAttributes(google::protobuf::RepeatedPtrField<pb::KeyValue>& attrs) {
  auto add = [&](const std::string& key) {
    pb::KeyValue* kv = attrs.Add();
    Put(kv, key);
    return kv->mutable_value();
  };
  add("zeta")->set_string_value("plain");
  add("alpha")->set_int_value(-42);
  add("dup")->set_string_value("first");
  add("b.bool")->set_bool_value(true);
  add("dup")->set_string_value("second wins");
  add("d.one")->set_double_value(1.0);
  add("d.tenth")->set_double_value(0.1);
  add("d.big")->set_double_value(1e300);
  add("d.nan")->set_double_value(std::numeric_limits<double>::quiet_NaN());
  add("d.inf")->set_double_value(-std::numeric_limits<double>::infinity());
  add("esc")->set_string_value("quote \" backslash \\ newline \n tab \t bell \x07 del \x7f");
  add("utf8")->set_string_value("caf\xc3\xa9 \xe2\x82\xac");
  add("bytes")->set_bytes_value(std::string("\x00\x01\xfe", 3));
  add("unset");
  pb::AnyValue* arr = add("arr");
  arr->mutable_array_value()->add_values()->set_int_value(1);
  arr->mutable_array_value()->add_values()->set_string_value("two");
  arr->mutable_array_value()->add_values()->mutable_array_value();
  pb::AnyValue* kvl = add("kv");
  auto* inner = kvl->mutable_kvlist_value()->add_values();
  inner->set_key("y");
  inner->mutable_value()->set_bool_value(false);
  inner = kvl->mutable_kvlist_value()->add_values();
  inner->set_key("x");
  inner->mutable_value()->mutable_kvlist_value();
  add("")->set_string_value("empty key");
  add("Upper")->set_string_value("sorts before lower case");
}

struct Built {
  DecodeResult decoded;
  Trace trace;
};

Built Awkward() {
  pbc::ExportTraceServiceRequest request;
  pbt::Span* root = testing::AddSpan(request, "checkout", "POST /checkout", 1, 1, 0, 1000, 9000);
  AddAwkwardAttributes(*root->mutable_attributes());
  root->set_trace_state("vendor=1,other=\"x\"");
  root->set_flags(0x301);
  root->set_dropped_attributes_count(3);
  root->mutable_status()->set_code(pbt::Status::STATUS_CODE_ERROR);
  root->mutable_status()->set_message("boom \"quoted\"");
  auto* event = root->add_events();
  event->set_name("exception");
  event->set_time_unix_nano(5000);
  AddAwkwardAttributes(*event->mutable_attributes());
  root->add_events()->set_name("bare");
  auto* link = root->add_links();
  link->set_trace_id(testing::TraceIdBytes(7));
  link->set_span_id("\x01\x02");  // not an id's length: written as the hex of what it is
  link->set_trace_state("k=v");
  AddAwkwardAttributes(*link->mutable_attributes());
  auto* rs = request.mutable_resource_spans(0);
  AddAwkwardAttributes(*rs->mutable_resource()->mutable_attributes());
  auto* scope = rs->mutable_scope_spans(0)->mutable_scope();
  scope->set_version("1.2.3");
  AddAwkwardAttributes(*scope->mutable_attributes());
  testing::AddSpan(request, "payments", "charge \xe2\x9c\x93", 1, 2, 1, 2000, 3000);
  testing::AddSpan(request, "payments", "orphan", 1, 3, 99, 2000, 99000);  // orphan and skewed
  testing::AddSpan(request, "payments", "dup", 1, 2, 1, 2000, 3000);       // duplicate id
  Built b;
  b.decoded = DecodeExportRequest(testing::Serialize(request));
  EXPECT_TRUE(b.decoded.ok()) << b.decoded.error;
  b.trace.id = b.decoded.batch.spans.at(0).trace_id;
  b.trace.spans = b.decoded.batch.spans;
  b.trace.times_completed = 1;
  static const std::string kNotUtf8 = "half \xc3 and \xff end";
  b.trace.spans.at(2).name = kNotUtf8;  // the ingest decoder keeps names as they came
  return b;
}

TEST(TraceJson, EveryLineIsTheBytesNlohmannWouldWrite) {
  const Built b = Awkward();
  ASSERT_EQ(b.trace.spans.size(), 4u);
  const std::string line = Line(b.trace);
  EXPECT_EQ(line, Oracle(b.trace));
  // And what was tricky made it through.
  const json j = json::parse(line);
  EXPECT_EQ(j["spans"].at(0)["attributes"]["dup"], "second wins");
  EXPECT_EQ(j["spans"].at(2)["name"], "half \xef\xbf\xbd and \xef\xbf\xbd end");
  EXPECT_TRUE(j["spans"].at(0)["attributes"]["d.nan"].is_null());
  EXPECT_EQ(j["orphans"].size(), 1u);
  EXPECT_EQ(j["duplicate_span_ids"].size(), 1u);
}

TEST(TraceJson, AnUpdateRecordHoldsOnlyTheLateSpans) {
  Built b = Awkward();
  b.trace.times_completed = 2;
  b.trace.new_from = 2;
  const std::string line = Line(b.trace);
  EXPECT_EQ(line, Oracle(b.trace));
  const json j = json::parse(line);
  EXPECT_TRUE(j["update"].get<bool>());
  EXPECT_EQ(j["late_spans"], 2);
  EXPECT_EQ(j["spans"].size(), 2u);
  EXPECT_FALSE(j.contains("roots"));
  // A trace evicted before its late spans came: every span is new.
  b.trace.times_completed = 1;
  b.trace.new_from = 0;
  b.trace.follows_evicted = true;
  EXPECT_EQ(Line(b.trace), Oracle(b.trace));
}

TEST(TraceJson, ASpanWhoseBytesDoNotDecodeSaysSo) {
  Built b = Awkward();
  b.trace.spans[1].raw = "\xff\xff\xff";
  const std::string line = Line(b.trace);
  EXPECT_EQ(line, Oracle(b.trace));
  const json j = json::parse(line);
  EXPECT_TRUE(j["spans"].at(1).contains("decode_error"));
  EXPECT_FALSE(j["spans"].at(1).contains("attributes"));
  EXPECT_TRUE(j["spans"].at(0).contains("attributes"));
}

TEST(TraceJson, TraceToJsonIsTheLineAsADocument) {
  const Built b = Awkward();
  EXPECT_EQ(TraceToJson(b.trace).dump(-1, ' ', false, json::error_handler_t::replace),
            Line(b.trace));
}

}  // namespace
}  // namespace traceproof
