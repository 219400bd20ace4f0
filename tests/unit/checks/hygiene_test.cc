#include <gtest/gtest.h>

#include "checks/check_test_util.h"
#include "checks/run_data_builder.h"

namespace traceproof {
namespace {

using testing::CheckFromYaml;
using testing::LoadErrorOf;
using testing::RunDataBuilder;

// `n` requests whose span carries user.id = "user-<i % distinct_users>" and a fixed route.
RunData Users(int n, int distinct_users) {
  RunDataBuilder b;
  for (int i = 0; i < n; ++i) {
    b.NewTrace();
    b.Span("gateway", "GET /")
        .Kind(SpanKind::kServer)
        .Attr("user.id", "user-" + std::to_string(i % distinct_users))
        .Attr("http.route", "/");
  }
  return b.Build();
}

TEST(HygieneCheck, CleanRunPasses) {
  const CheckResult r = CheckFromYaml("hygiene:")->Run(Users(50, 5));
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_EQ(r.details["cardinality"]["user.id"], 5);
  EXPECT_EQ(r.details["cardinality"]["http.route"], 1);
}

TEST(HygieneCheck, FlagsHighCardinalityKeys) {
  const RunData data = Users(30, 30);
  CheckResult r = CheckFromYaml("hygiene: {max_cardinality: 20}")->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("more than 20 distinct values: user.id"), std::string::npos) << r.reason;
  EXPECT_EQ(r.evidence, std::vector<std::string>{RunDataBuilder::TraceIdOf(21).Hex()});
  EXPECT_TRUE(CheckFromYaml("hygiene: {max_cardinality: 30}")->Run(data).passed);
  EXPECT_TRUE(
      CheckFromYaml("hygiene: {max_cardinality: 20, ignore_keys: [user.id]}")->Run(data).passed);
}

TEST(HygieneCheck, ClockSkewCountsSpansOutsideTheirParent) {
  RunDataBuilder b;
  b.NewTrace();
  const int root = b.Span("gateway", "GET /").Times(10, 100);
  b.Span("orders", "POST /orders").Parent(root).Times(5, 50);  // starts before its parent
  b.Span("orders", "SELECT").Parent(root).Times(20, 30);
  const RunData data = b.Build();
  CheckResult r = CheckFromYaml("hygiene:")->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("1 of 3 spans outside their parent's time range"), std::string::npos)
      << r.reason;
  EXPECT_EQ(r.evidence, std::vector<std::string>{RunDataBuilder::TraceIdOf(1).Hex()});
  EXPECT_TRUE(CheckFromYaml("hygiene: {clock_skew: '<= 34%'}")->Run(data).passed);
  EXPECT_FALSE(CheckFromYaml("hygiene: {clock_skew: '<= 33%'}")->Run(data).passed);
}

TEST(HygieneCheck, MissingServiceName) {
  RunDataBuilder b;
  b.NewTrace();
  b.Span("", "GET /");
  b.NewTrace();
  b.Span("gateway", "GET /");
  const RunData data = b.Build();
  CheckResult r = CheckFromYaml("hygiene:")->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.details["spans_without_service_name"], 1);
  EXPECT_EQ(r.evidence, std::vector<std::string>{RunDataBuilder::TraceIdOf(1).Hex()});
  EXPECT_TRUE(CheckFromYaml("hygiene: {missing_service_name: '<= 1'}")->Run(data).passed);
}

TEST(HygieneCheck, OptionsAreStrict) {
  EXPECT_NE(LoadErrorOf("hygiene: {max_cardinality: 0}").find("want 1..1000000"),
            std::string::npos);
  EXPECT_NE(LoadErrorOf("hygiene: {ignore_keys: user.id}").find("want a list"), std::string::npos);
  EXPECT_NE(LoadErrorOf("hygiene: {clock_skw: 0}").find("did you mean 'clock_skew'"),
            std::string::npos);
}

}  // namespace
}  // namespace traceproof
