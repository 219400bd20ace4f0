// ground_truth.jsonl lines (spans and inbound records) are written as text (otlp/json_writer.h)
// and read back with nlohmann. The oracle is the nlohmann document the writer replaced, dumped
// as the run used to: each line must be the same bytes, with every optional member present and
// absent, and strings that need escaping.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "truth/ground_truth.h"
#include "truth/inbound_record.h"

namespace traceproof {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string OracleSpan(const GroundTruthSpan& s) {
  json j = {
      {"request_id", s.request_id},
      {"trace_id", s.trace_id.Hex()},
      {"span_id", s.span_id.Hex()},
      {"parent_span_id", s.parent_span_id.IsValid() ? s.parent_span_id.Hex() : ""},
      {"expected_parent_span_id",
       s.expected_parent_span_id.IsValid() ? s.expected_parent_span_id.Hex() : ""},
      {"service", s.service},
      {"name", s.name},
      {"kind", std::string(SpanKindName(s.kind))},
      {"sampled", s.sampled},
      {"exported", s.exported},
      {"status", std::string(StatusCodeName(s.status))},
      {"start_time_unix_nano", s.start_unix_ns},
      {"end_time_unix_nano", s.end_unix_ns},
      {"faults", s.faults},
  };
  if (!s.queue.empty()) {
    j["queue"] = s.queue;
    if (s.linked_span_id.IsValid()) j["linked_span_id"] = s.linked_span_id.Hex();
    if (s.redelivered) j["redelivered"] = true;
    if (s.nacked) j["nacked"] = true;
    if (!s.batch.empty()) {
      json batch = json::array();
      for (const BatchMessage& m : s.batch) {
        json e = {{"producer_span_id", m.producer_span_id.Hex()},
                  {"linked_span_id", m.linked_span_id.IsValid() ? m.linked_span_id.Hex() : ""}};
        if (m.redelivered) e["redelivered"] = true;
        if (m.nacked) e["nacked"] = true;
        batch.push_back(std::move(e));
      }
      j["batch"] = std::move(batch);
    }
  }
  return Dump(j);
}

std::string OracleInbound(const InboundRecord& r) {
  json j = {
      {"record", "inbound"},
      {"kind", r.kind == InboundRecord::Kind::kHttp ? "http" : "message"},
      {"service", r.service},
      {"target", r.target},
      {"context", std::string(InboundStateName(r.context.state))},
      {"from_load", r.from_load},
      {"from_mock", r.from_mock},
      {"request_id", r.request_id},
      {"request_id_carried", r.request_id_carried},
      {"span_trace_id", r.span_trace_id.IsValid() ? r.span_trace_id.Hex() : ""},
      {"time_unix_nano", r.time_unix_ns},
  };
  if (r.context.state == InboundContext::State::kMalformed) j["raw"] = r.context.raw;
  if (r.context.state == InboundContext::State::kValid) {
    j["trace_id"] = r.context.trace_id.Hex();
    j["parent_span_id"] = r.context.parent_span_id.Hex();
    j["sampled"] = r.context.sampled;
  }
  if (r.callers) {
    j["callers_mocks"] = r.callers->mocks;
    j["callers_outside"] = r.callers->outside;
    j["callers_apps"] = r.callers->apps;
  }
  return Dump(j);
}

GroundTruthSpan Http() {
  GroundTruthSpan s;
  s.request_id = 18446744073709551615ull;
  s.trace_id = *TraceId::FromHex("0af7651916cd43dd8448eb211c80319c");
  s.span_id = *SpanId::FromHex("b7ad6b7169203331");
  s.expected_parent_span_id = *SpanId::FromHex("00f067aa0ba902b7");
  s.service = "pay\"ments\\";
  s.name = "POST /charge \xe2\x9c\x93 \xff";
  s.kind = SpanKind::kClient;
  s.sampled = true;
  s.status = StatusCode::kError;
  s.start_unix_ns = 1;
  s.end_unix_ns = 2;
  s.faults = {"drop_traceparent", "latency\n"};
  return s;
}

TEST(TruthJson, SpanLinesAreTheBytesNlohmannWouldWrite) {
  GroundTruthSpan s = Http();
  EXPECT_EQ(GroundTruthToJson(s), OracleSpan(s));
  s.parent_span_id = s.expected_parent_span_id;
  s.exported = true;
  s.faults.clear();
  EXPECT_EQ(GroundTruthToJson(s), OracleSpan(s));
  // Queue members, each optional one on and off.
  s.queue = "orders";
  EXPECT_EQ(GroundTruthToJson(s), OracleSpan(s));
  s.linked_span_id = *SpanId::FromHex("1111111111111111");
  s.redelivered = true;
  s.nacked = true;
  EXPECT_EQ(GroundTruthToJson(s), OracleSpan(s));
  s.batch = {BatchMessage{s.span_id, SpanId{}, false, false},
             BatchMessage{s.span_id, s.linked_span_id, true, true}};
  EXPECT_EQ(GroundTruthToJson(s), OracleSpan(s));
  // Queue members of a span without a queue are not written, as before.
  s.queue.clear();
  EXPECT_EQ(GroundTruthToJson(s), OracleSpan(s));
  std::string error;
  EXPECT_TRUE(GroundTruthFromJson(GroundTruthToJson(Http()), error)) << error;
}

TEST(TruthJson, InboundLinesAreTheBytesNlohmannWouldWrite) {
  InboundRecord r;
  r.service = "auth";
  r.target = "POST /validate";
  r.request_id = 7;
  r.time_unix_ns = 123456789;
  EXPECT_EQ(InboundToJson(r), OracleInbound(r));
  r.kind = InboundRecord::Kind::kMessage;
  r.from_load = true;
  r.request_id_carried = true;
  r.span_trace_id = *TraceId::FromHex("0af7651916cd43dd8448eb211c80319c");
  r.context.state = InboundContext::State::kMalformed;
  r.context.raw = "00-zz\x01\"\xc3";
  EXPECT_EQ(InboundToJson(r), OracleInbound(r));
  r.context.state = InboundContext::State::kValid;
  r.context.trace_id = r.span_trace_id;
  r.context.parent_span_id = *SpanId::FromHex("b7ad6b7169203331");
  r.context.sampled = true;
  r.from_mock = true;
  r.callers =
      std::make_shared<AllowedCallers>(AllowedCallers{{"gateway", "orders"}, {}, {"py-app"}});
  EXPECT_EQ(InboundToJson(r), OracleInbound(r));
}

}  // namespace
}  // namespace traceproof
