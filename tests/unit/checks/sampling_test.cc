#include <gtest/gtest.h>

#include <random>

#include "checks/check_test_util.h"
#include "checks/check_util.h"
#include "checks/run_data_builder.h"

namespace traceproof {
namespace {

using testing::CheckFromYaml;
using testing::LoadErrorOf;
using testing::RunDataBuilder;

// A two-span request: gateway root and an orders child, each sampled as given.
void AddRequest(RunDataBuilder& b, bool root_sampled, bool child_sampled, double duration_ms = 10,
                bool error = false) {
  b.NewTrace();
  auto root = b.Span("gateway", "GET /").Kind(SpanKind::kServer).Times(0, duration_ms);
  if (!root_sampled) root.NotSampled();
  if (error) root.Status(StatusCode::kError);
  auto child = b.Span("orders", "POST /orders").Parent(root).Times(1, duration_ms - 1);
  if (!child_sampled) child.NotSampled();
}

TEST(SamplingStatistics, InverseNormalCdfMatchesTables) {
  EXPECT_NEAR(checks::InverseNormalCdf(0.975), 1.959964, 1e-6);
  EXPECT_NEAR(checks::InverseNormalCdf(0.9995), 3.290527, 1e-6);
  EXPECT_NEAR(checks::InverseNormalCdf(0.5), 0, 1e-12);
  EXPECT_NEAR(checks::InverseNormalCdf(0.01), -2.326348, 1e-6);
}

TEST(SamplingStatistics, WilsonIntervalContainsTheTruthAndNarrowsWithN) {
  const checks::Interval small = checks::Wilson(25, 100, 0.95);
  EXPECT_TRUE(small.Contains(0.25));
  EXPECT_NEAR(small.low, 0.1754, 1e-3);  // textbook value for 25/100 at 95%
  EXPECT_NEAR(small.high, 0.3430, 1e-3);
  const checks::Interval large = checks::Wilson(2500, 10000, 0.95);
  EXPECT_LT(large.high - large.low, small.high - small.low);
  EXPECT_FALSE(large.Contains(0.3));
}

// 2000 requests sampled by a seeded coin at `ratio`.
RunData HeadSampled(double ratio) {
  RunDataBuilder b;
  std::mt19937_64 rng(42);
  std::bernoulli_distribution coin(ratio);
  for (int i = 0; i < 2000; ++i) {
    const bool s = coin(rng);
    AddRequest(b, s, s);
  }
  return b.Build();
}

TEST(SamplingCheck, HeadRatioWithinTheConfidenceInterval) {
  const RunData data = HeadSampled(0.25);
  CheckResult r = CheckFromYaml("sampling: {head_ratio: 0.25}")->Run(data);
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_NE(r.reason.find("of 2000 requests"), std::string::npos) << r.reason;

  r = CheckFromYaml("sampling: {head_ratio: 0.35}")->Run(data);
  EXPECT_FALSE(r.passed) << r.reason;
  EXPECT_NE(r.reason.find("want 35.0%"), std::string::npos) << r.reason;
}

TEST(SamplingCheck, HeadRatioDefaultsToTheRunsSampler) {
  RunData data = HeadSampled(0.1);
  data.head_sampler_ratio = 0.1;
  EXPECT_TRUE(CheckFromYaml("sampling:")->Run(data).passed);
  data.head_sampler_ratio = 0.5;
  EXPECT_FALSE(CheckFromYaml("sampling:")->Run(data).passed);
}

TEST(SamplingCheck, ParentBasedMeansNoRequestIsPartlySampled) {
  RunDataBuilder b;
  AddRequest(b, true, true);
  AddRequest(b, true, false);  // orders dropped a sampled parent's child
  AddRequest(b, false, false);
  const RunData data = b.Build();
  CheckResult r = CheckFromYaml("sampling: {}")->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.details["partly_sampled_requests"], 1);
  EXPECT_EQ(r.evidence, std::vector<std::string>{RunDataBuilder::TraceIdOf(2).Hex()});
  EXPECT_TRUE(CheckFromYaml("sampling: {parent_based: false}")->Run(data).passed);
}

TEST(SamplingCheck, TailKeepsErrorsSlowRequestsAndAShareOfTheRest) {
  std::mt19937_64 rng(7);
  std::bernoulli_distribution coin(0.1);
  auto build = [&](bool drop_one_error) {
    RunDataBuilder b;
    for (int i = 0; i < 1000; ++i) {
      const bool error = i % 50 == 0, slow = i % 40 == 1;
      bool keep = error || slow || coin(rng);
      if (drop_one_error && i == 100) keep = false;
      b.NewTrace();
      auto root = b.Span("gateway", "GET /").Kind(SpanKind::kServer).Times(0, slow ? 900 : 20);
      if (error) root.Status(StatusCode::kError);
      if (!keep) root.Lost();  // exported, dropped by the tail sampler
    }
    return b.Build();
  };
  const auto check = CheckFromYaml(
      "sampling: {parent_based: false, tail: {keep_errors: true, keep_slower_than: 500ms, "
      "ratio: 0.1}}");
  CheckResult r = check->Run(build(false));
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_EQ(r.details["tail"]["errors"], 20);
  EXPECT_EQ(r.details["tail"]["slow_kept"], 25);

  r = check->Run(build(true));
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("error traces: 19 of 20 kept, want all"), std::string::npos) << r.reason;
  EXPECT_EQ(r.evidence, std::vector<std::string>{RunDataBuilder::TraceIdOf(101).Hex()});

  EXPECT_FALSE(CheckFromYaml("sampling: {parent_based: false, tail: {ratio: 0.3}}")
                   ->Run(build(false))
                   .passed);
}

TEST(SamplingCheck, TailFailsWhenAKeptTraceLacksSpans) {
  auto build = [](bool cut) {
    RunDataBuilder b;
    for (int i = 0; i < 10; ++i) {
      b.NewTrace();
      auto root = b.Span("gateway", "GET /").Kind(SpanKind::kServer).Times(0, 20);
      root.Status(StatusCode::kError);
      auto child = b.Span("orders", "work").Parent(root.Id()).Times(1, 10);
      if (cut && i == 3) child.Lost();  // the sampler decided before this span arrived
    }
    return b.Build();
  };
  const auto check = CheckFromYaml("sampling: {parent_based: false, tail: {keep_errors: true}}");
  CheckResult r = check->Run(build(false));
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_NE(r.reason.find("every kept trace whole (10)"), std::string::npos) << r.reason;
  r = check->Run(build(true));
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("1 of 10 kept traces partial"), std::string::npos) << r.reason;
  EXPECT_EQ(r.details["tail"]["kept_partially"], 1);
  EXPECT_EQ(r.evidence, std::vector<std::string>{RunDataBuilder::TraceIdOf(4).Hex()});
}

TEST(SamplingCheck, OptionsAreStrict) {
  EXPECT_NE(LoadErrorOf("sampling: {head_ratio: 25%}").find("want a number"), std::string::npos);
  EXPECT_NE(LoadErrorOf("sampling: {head_ratio: 2}").find("share in 0..1"), std::string::npos);
  EXPECT_NE(LoadErrorOf("sampling: {confidence: 1.5}").find("'confidence'"), std::string::npos);
  EXPECT_NE(LoadErrorOf("sampling: {tail: {keep_error: true}}").find("did you mean 'keep_errors'"),
            std::string::npos);
  EXPECT_NE(LoadErrorOf("sampling: {tail: {keep_slower_than: 5}}").find("bad duration"),
            std::string::npos);
}

}  // namespace
}  // namespace traceproof
