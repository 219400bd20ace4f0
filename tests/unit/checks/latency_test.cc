#include <gtest/gtest.h>

#include <numeric>

#include "checks/check_test_util.h"
#include "checks/critical_path.h"
#include "checks/run_data_builder.h"

namespace traceproof {
namespace {

using testing::CheckFromYaml;
using testing::LoadErrorOf;
using testing::RunDataBuilder;

// gateway [0,100] -> orders [10,90] -> { db [15,30], stripe [35,85] }, plus a cache call
// [12,40] from the gateway that overlaps orders and is therefore never critical.
RunData Checkout(double stripe_ms = 50) {
  RunDataBuilder b;
  b.NewTrace();
  const int root = b.Span("gateway", "GET /checkout").Kind(SpanKind::kServer).Times(0, 100);
  b.Span("cache", "GET").Kind(SpanKind::kClient).Parent(root).Times(12, 40);
  const int orders =
      b.Span("orders", "POST /orders").Kind(SpanKind::kServer).Parent(root).Times(10, 90);
  b.Span("db", "SELECT").Kind(SpanKind::kClient).Parent(orders).Times(15, 30);
  b.Span("stripe", "POST /v1/charges")
      .Kind(SpanKind::kClient)
      .Parent(orders)
      .Times(35, 35 + stripe_ms);
  return b.Build();
}

std::string NameOf(const Trace& t, std::size_t i) { return std::string(t.spans[i].name); }

TEST(CriticalPath, WalksBackFromTheRootsEnd) {
  const RunData data = Checkout();
  const Trace& t = *data.traces[0];
  const TraceShape shape = AnalyzeTrace(t);
  std::vector<std::string> names;
  for (std::size_t i : CriticalPath(t, shape)) names.push_back(NameOf(t, i));
  EXPECT_EQ(names, (std::vector<std::string>{"GET /checkout", "POST /orders", "POST /v1/charges",
                                             "SELECT"}));

  const std::vector<std::int64_t> ns = CriticalTimeNs(t, shape);
  std::map<std::string, std::int64_t> by_name;
  for (std::size_t i = 0; i < ns.size(); ++i) by_name[NameOf(t, i)] = ns[i];
  EXPECT_EQ(by_name["GET /checkout"], 20'000'000);  // [0,10] + [90,100]
  EXPECT_EQ(by_name["POST /orders"], 15'000'000);   // [10,15] + [30,35] + [85,90]
  EXPECT_EQ(by_name["POST /v1/charges"], 50'000'000);
  EXPECT_EQ(by_name["SELECT"], 15'000'000);
  EXPECT_EQ(by_name["GET"], 0);  // overlapped by orders, which ends later
  EXPECT_EQ(std::accumulate(ns.begin(), ns.end(), std::int64_t{0}), 100'000'000);
}

TEST(CriticalPath, ChildrenAreClippedToTheirParent) {
  RunDataBuilder b;
  b.NewTrace();
  const int root = b.Span("a", "root").Times(0, 10);
  b.Span("b", "skewed").Parent(root).Times(5, 30);  // ends after its parent: clock skew
  const RunData data = b.Build();
  const Trace& t = *data.traces[0];
  const std::vector<std::int64_t> ns = CriticalTimeNs(t, AnalyzeTrace(t));
  EXPECT_EQ(ns[0], 5'000'000);
  EXPECT_EQ(ns[1], 5'000'000);
}

TEST(CriticalPath, TraceWithoutRootHasNoPath) {
  RunDataBuilder b;
  b.NewTrace();
  const int lost = b.Span("a", "lost").Lost();
  b.Span("b", "orphan").Parent(lost);
  const RunData data = b.Build();
  EXPECT_TRUE(CriticalPath(*data.traces[0], AnalyzeTrace(*data.traces[0])).empty());
}

TEST(CriticalPath, OwnersAggregateOverTraces) {
  const RunData data = Checkout();
  const auto owners = CriticalPathOwners({data.traces[0].get()}, CriticalOwnerKey::kService);
  ASSERT_FALSE(owners.empty());
  EXPECT_EQ(owners[0].service, "stripe");
  EXPECT_DOUBLE_EQ(owners[0].share, 0.5);
}

TEST(LatencyCheck, PercentileOfSelectedSpans) {
  RunDataBuilder b;
  for (int i = 1; i <= 100; ++i) {
    b.NewTrace();
    b.Span("gateway", "GET /").Kind(SpanKind::kServer).Times(0, i);  // 1..100 ms
  }
  const RunData data = b.Build();
  CheckResult r =
      CheckFromYaml("latency: {p99: {select: 'span[kind=SERVER]', max: 99ms}}")->Run(data);
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_EQ(r.details["p99"]["value_ns"], 99'000'000);
  r = CheckFromYaml("latency: {p50: {select: 'span[kind=SERVER]', max: 49ms}}")->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("p50 of 100 spans span[kind=SERVER] is 50.0 ms, want <= 49.0 ms"),
            std::string::npos)
      << r.reason;
  EXPECT_EQ(r.evidence.size(), 10u);
  EXPECT_EQ(r.evidence[0], RunDataBuilder::TraceIdOf(100).Hex());  // slowest first
  EXPECT_FALSE(CheckFromYaml("latency: {p50: {select: 'span[kind=CLIENT]', max: 1s}}")
                   ->Run(data)
                   .passed);  // nothing selected proves nothing
}

TEST(LatencyCheck, CriticalPathOwnerOfTheSlowTraces) {
  const RunData data = Checkout();
  CheckResult r = CheckFromYaml("latency: {critical_path_top: stripe}")->Run(data);
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_EQ(r.reason, "critical path owned by stripe: 50% of 100 ms over 1 slowest traces");
  EXPECT_EQ(r.details["critical_path"]["owners"][0]["service"], "stripe");

  EXPECT_TRUE(
      CheckFromYaml("latency: {critical_path_top: stripe POST /v1/charges}")->Run(data).passed);
  r = CheckFromYaml("latency: {critical_path_top: db}")->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("want db"), std::string::npos) << r.reason;
  EXPECT_EQ(r.evidence, std::vector<std::string>{data.traces[0]->id.Hex()});

  // A fast stripe leaves the gateway's own time (20 ms) on top.
  EXPECT_FALSE(CheckFromYaml("latency: {critical_path_top: stripe}")->Run(Checkout(5)).passed);
}

TEST(LatencyCheck, GapsSequentialCallsAndFattestLeaf) {
  const RunData data = Checkout();
  // orders [10,90]: children db [15,30], stripe [35,85]: longest gap 5 ms; gateway [0,100] with
  // cache [12,40] and orders [10,90]: gaps 10 and 10.
  CheckResult r = CheckFromYaml("latency: {gaps: {max: 10ms}}")->Run(data);
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_EQ(r.details["worst_gap_ns"], 10'000'000);
  EXPECT_FALSE(CheckFromYaml("latency: {gaps: {max: 9ms}}")->Run(data).passed);

  // db then stripe, one after the other, under orders.
  r = CheckFromYaml("latency: {sequential: {max: '<= 1'}}")->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("2 sequential client calls under orders POST /orders"), std::string::npos)
      << r.reason;
  EXPECT_TRUE(CheckFromYaml("latency: {sequential: {max: '<= 2'}}")->Run(data).passed);

  r = CheckFromYaml("latency: {fattest_leaf: {max: 40ms}}")->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("fattest leaf 50.0 ms (stripe POST /v1/charges)"), std::string::npos)
      << r.reason;
  EXPECT_TRUE(CheckFromYaml("latency: {fattest_leaf: {max: 50ms}}")->Run(data).passed);
}

TEST(LatencyCheck, OptionsAreStrict) {
  EXPECT_NE(LoadErrorOf("latency: {}").find("asserts nothing"), std::string::npos);
  EXPECT_NE(LoadErrorOf("latency: {p98: {select: span, max: 1s}}").find("did you mean"),
            std::string::npos);
  EXPECT_NE(LoadErrorOf("latency: {p99: {max: 1s}}").find("missing 'select'"), std::string::npos);
  EXPECT_NE(LoadErrorOf("latency: {p99: {select: span, max: 5}}").find("bad duration"),
            std::string::npos);
  EXPECT_NE(LoadErrorOf("latency: {gaps: {maximum: 5ms}}").find("unknown key 'maximum'"),
            std::string::npos);
  EXPECT_NE(LoadErrorOf("latency: {critical_path_top: x, slow_traces: 2}").find("bad rate"),
            std::string::npos);
}

}  // namespace
}  // namespace traceproof
