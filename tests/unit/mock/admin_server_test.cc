#include "mock_services/admin_server.h"

#include <gtest/gtest.h>

#include <thread>

#include "truth/truth_log.h"

namespace traceproof::mock {
namespace {

GroundTruthSpan Span(std::uint64_t request, int n, const std::string& service) {
  GroundTruthSpan s;
  s.request_id = request;
  s.trace_id = *TraceId::FromHex("0102030405060708090a0b0c0d0e0f10");
  s.span_id =
      *SpanId::FromHex("00000000000000" + std::string(n < 10 ? "0" : "") + std::to_string(n));
  s.service = service;
  s.name = "POST /checkout";
  s.kind = SpanKind::kServer;
  s.sampled = s.exported = true;
  s.status = StatusCode::kError;
  s.start_unix_ns = 1000 + n;
  s.end_unix_ns = 2000 + n;
  s.faults = {"drop_traceparent"};
  return s;
}

std::vector<std::string> Lines(const std::string& body) {
  std::vector<std::string> lines;
  for (std::size_t begin = 0; begin < body.size();) {
    const std::size_t end = body.find('\n', begin);
    lines.push_back(body.substr(begin, end - begin));
    begin = end == std::string::npos ? body.size() : end + 1;
  }
  return lines;
}

TEST(GroundTruthJson, ReadsBackWhatItWrote) {
  GroundTruthSpan s = Span(7, 3, "orders");
  s.parent_span_id = *SpanId::FromHex("0000000000000001");
  s.queue = "orders.created";
  s.linked_span_id = *SpanId::FromHex("0000000000000009");
  s.redelivered = true;
  std::string error;
  const auto back = GroundTruthFromJson(GroundTruthToJson(s), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(GroundTruthToJson(*back), GroundTruthToJson(s));
  EXPECT_EQ(back->kind, SpanKind::kServer);
  EXPECT_EQ(back->status, StatusCode::kError);
  EXPECT_FALSE(back->expected_parent_span_id.IsValid());
}

TEST(GroundTruthJson, ReadsBackNacksAndBatchMessages) {
  GroundTruthSpan s = Span(8, 4, "fulfilment");
  s.queue = "order.created";
  s.nacked = true;
  BatchMessage linked{*SpanId::FromHex("00000000000000a1"), *SpanId::FromHex("00000000000000a1")};
  BatchMessage lost{*SpanId::FromHex("00000000000000a2"), SpanId{}};
  lost.redelivered = true;
  lost.nacked = true;
  s.batch = {linked, lost};
  std::string error;
  const auto back = GroundTruthFromJson(GroundTruthToJson(s), error);
  ASSERT_TRUE(back) << error;
  EXPECT_TRUE(back->nacked);
  ASSERT_EQ(back->batch.size(), 2u);
  EXPECT_EQ(back->batch[0].linked_span_id, linked.linked_span_id);
  EXPECT_FALSE(back->batch[1].linked_span_id.IsValid());
  EXPECT_TRUE(back->batch[1].redelivered);
  EXPECT_TRUE(back->batch[1].nacked);
  EXPECT_EQ(GroundTruthToJson(*back), GroundTruthToJson(s));
}

TEST(GroundTruthJson, AnIdThatIsNotHexIsAnErrorNamingTheField) {
  GroundTruthSpan s = Span(9, 5, "orders");
  s.parent_span_id = *SpanId::FromHex("0000000000000001");
  std::string line = GroundTruthToJson(s);
  const std::string good = "\"parent_span_id\":\"0000000000000001\"";
  ASSERT_NE(line.find(good), std::string::npos) << line;
  line.replace(line.find(good), good.size(), "\"parent_span_id\":\"xyz\"");
  std::string error;
  EXPECT_FALSE(GroundTruthFromJson(line, error));
  EXPECT_NE(error.find("parent_span_id"), std::string::npos) << error;
}

TEST(GroundTruthJson, ALineItDidNotWriteIsAnError) {
  std::string error;
  EXPECT_FALSE(GroundTruthFromJson("{\"request_id\": 1}", error));
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(GroundTruthFromJson("not json", error));
}

TEST(AdminEndpoint, TruthSinceReturnsOnlySpansRecordedFromThatMoment) {
  TruthLog log;
  log.Record(Span(1, 1, "gateway"));
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const std::uint64_t since = TruthLog::NowUnixNs();
  log.Record(Span(2, 2, "gateway"));
  log.Record(Span(2, 3, "orders"));
  AdminSources sources;
  sources.truth = &log;

  const AdminResponse all = HandleAdminRequest("GET", "/truth", sources);
  EXPECT_EQ(all.status, 200);
  EXPECT_EQ(Lines(all.body).size(), 3u);

  const AdminResponse window =
      HandleAdminRequest("GET", "/truth?since=" + std::to_string(since), sources);
  ASSERT_EQ(window.status, 200);
  const auto lines = Lines(window.body);
  ASSERT_EQ(lines.size(), 2u);
  std::string error;
  const auto first = GroundTruthFromJson(lines[0], error);
  ASSERT_TRUE(first) << error;
  EXPECT_EQ(first->request_id, 2u);
}

InboundRecord Arrival(std::uint64_t time_unix_ns, InboundContext::State state) {
  InboundRecord r;
  r.kind = InboundRecord::Kind::kMessage;
  r.service = "billing";
  r.target = "order.created";
  r.context.state = state;
  if (state == InboundContext::State::kMalformed) r.context.raw = "00-zz";
  if (state == InboundContext::State::kValid) {
    r.context.trace_id = *TraceId::FromHex("0102030405060708090a0b0c0d0e0f10");
    r.context.parent_span_id = *SpanId::FromHex("00000000000000a1");
    r.context.sampled = true;
  }
  r.request_id = 42;
  r.request_id_carried = true;
  r.from_mock = true;
  auto callers = std::make_shared<AllowedCallers>();
  callers->mocks = {"orders"};
  callers->outside = {"shop", "cart"};
  callers->apps = {"shop"};
  r.callers = callers;
  r.time_unix_ns = time_unix_ns;
  return r;
}

TEST(InboundJson, ReadsBackWhatItWroteForEveryContextState) {
  for (const auto state : {InboundContext::State::kNone, InboundContext::State::kMalformed,
                           InboundContext::State::kValid}) {
    const InboundRecord r = Arrival(5, state);
    std::string error;
    const auto back = InboundFromJson(InboundToJson(r), error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(InboundToJson(*back), InboundToJson(r));
    EXPECT_EQ(back->context.state, state);
    ASSERT_TRUE(back->callers);
    EXPECT_EQ(back->callers->apps, std::vector<std::string>{"shop"});
  }
  std::string error;
  EXPECT_FALSE(InboundFromJson(GroundTruthToJson(Span(1, 1, "gateway")), error));  // a span
}

TEST(AdminEndpoint, InboundSinceReturnsOnlyWhatArrivedFromThatMoment) {
  TruthLog log;
  log.RecordInbound(Arrival(TruthLog::NowUnixNs(), InboundContext::State::kNone));
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const std::uint64_t since = TruthLog::NowUnixNs();
  log.RecordInbound(Arrival(TruthLog::NowUnixNs(), InboundContext::State::kValid));
  AdminSources sources;
  sources.truth = &log;
  EXPECT_EQ(Lines(HandleAdminRequest("GET", "/inbound", sources).body).size(), 2u);
  const auto lines =
      Lines(HandleAdminRequest("GET", "/inbound?since=" + std::to_string(since), sources).body);
  ASSERT_EQ(lines.size(), 1u);
  std::string error;
  const auto back = InboundFromJson(lines[0], error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->context.state, InboundContext::State::kValid);
}

TEST(AdminEndpoint, TheRecordingClockNotTheSpansTimestampsDecides) {
  TruthLog log;
  const std::uint64_t since = TruthLog::NowUnixNs();
  GroundTruthSpan skewed = Span(1, 1, "orders");
  skewed.start_unix_ns = 1;  // a clock_skew fault moves the span's own time far back
  log.Record(skewed);
  AdminSources sources;
  sources.truth = &log;
  EXPECT_EQ(Lines(HandleAdminRequest("GET", "/truth?since=" + std::to_string(since), sources).body)
                .size(),
            1u);
}

TEST(AdminEndpoint, BadRequestsAreAnsweredNotServed) {
  TruthLog log;
  AdminSources sources;
  sources.truth = &log;
  EXPECT_EQ(HandleAdminRequest("GET", "/truth?since=yesterday", sources).status, 400);
  EXPECT_EQ(HandleAdminRequest("GET", "/truth?since=", sources).status, 400);
  EXPECT_EQ(HandleAdminRequest("POST", "/truth", sources).status, 405);
  EXPECT_EQ(HandleAdminRequest("GET", "/", sources).status, 404);
  EXPECT_EQ(HandleAdminRequest("GET", "/stats", sources).status, 503);  // no stats source
}

TEST(AdminEndpoint, StatsRoundTripThroughJson) {
  AdminSources sources;
  sources.stats = [] {
    AdminStats a;
    a.now_unix_ns = 42;
    a.host = "0.0.0.0";
    a.ports = {{"gateway", 8080}, {"orders", 8082}};
    a.services.requests = 10;
    a.services.spans_started = 60;
    a.services.spans_exported = 55;
    a.services.spans_pending = 5;
    a.services.spans_failed_export = 1;
    return a;
  };
  const AdminResponse r = HandleAdminRequest("GET", "/stats", sources);
  ASSERT_EQ(r.status, 200);
  std::string error;
  const auto back = AdminStatsFromJson(r.body, error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->now_unix_ns, 42u);
  EXPECT_EQ(back->ports.at("orders"), 8082);
  EXPECT_EQ(back->services.spans_exported, 55u);
  EXPECT_EQ(back->services.spans_pending, 5u);
  EXPECT_EQ(back->services.spans_failed_export, 1u);
  EXPECT_FALSE(AdminStatsFromJson("{\"now_unix_ns\": 1}", error));
  EXPECT_NE(error.find("requests"), std::string::npos) << error;
}

TEST(AdminEndpoint, TakenPortIsAnError) {
  TruthLog log;
  std::string error;
  auto first = StartAdminServer({"127.0.0.1", 0}, {&log, nullptr}, error);
  ASSERT_TRUE(first) << error;
  auto second = StartAdminServer({"127.0.0.1", first->port()}, {&log, nullptr}, error);
  EXPECT_FALSE(second);
  EXPECT_NE(error.find(std::to_string(first->port())), std::string::npos) << error;
}

}  // namespace
}  // namespace traceproof::mock
