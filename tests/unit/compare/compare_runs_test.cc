#include "compare/compare_runs.h"

#include <gtest/gtest.h>

namespace traceproof {
namespace {

const std::string kRoute = "gateway POST /checkout [SERVER]";
const std::string kStripe = "stripe POST /v1/charges [SERVER]";

// 30 s of 100 spans a second around `ms` (± 10 %, a fixed pattern) plus `add_ms`.
DurationSample Spans(double ms, double add_ms = 0, int phase = 0) {
  DurationSample s;
  for (int i = 0; i < 3000; ++i) {
    const double jitter = 0.9 + 0.2 * ((i * 7919 + phase) % 1000) / 1000.0;
    s.duration_ns.push_back(static_cast<std::int64_t>((ms * jitter + add_ms) * 1e6));
    s.start_ms.push_back(static_cast<std::uint32_t>(i * 10));
  }
  return s;
}

RunProfile MakeRun(double stripe_add_ms = 0, int phase = 0) {
  RunProfile run;
  run.dir = phase ? "current" : "base";
  run.scenario = "checkout";
  run.requests_sent = 3000;
  run.traces = 3000;
  run.checks = {{"propagation", "broken_traces == 0", true, ""},
                {"throughput", "loss == 0", true, ""}};
  RouteProfile& r = run.routes[kRoute];
  r.route = kRoute;
  r.traces = 3000;
  r.edges["(root) → " + kRoute] = 3000;
  r.edges[kRoute + " → " + kStripe] = 3000;
  r.operations[kRoute] = Spans(20, stripe_add_ms, phase);
  r.operations[kStripe] = Spans(8, stripe_add_ms, phase);
  return run;
}

RunComparison Compare(const RunProfile& a, const RunProfile& b, CompareOptions options = {}) {
  std::string error;
  auto c = CompareRuns(a, b, options, error);
  EXPECT_TRUE(c) << error;
  return c ? *c : RunComparison{};
}

TEST(CompareRuns, TheSameRunAgainHasNoRegression) {
  const RunComparison c = Compare(MakeRun(), MakeRun(0, 1));
  EXPECT_TRUE(c.Regressions().empty());
  EXPECT_TRUE(c.routes.at(0).shape.empty());
}

TEST(CompareRuns, ThirtyMillisecondsOnStripeIsARegressionNamingStripeFirst) {
  const RunComparison c = Compare(MakeRun(), MakeRun(30, 1));
  const std::vector<std::string> r = c.Regressions();
  ASSERT_EQ(r.size(), 2u);
  // Deepest first: stripe before the gateway that waits for it.
  EXPECT_NE(r[0].find(kStripe), std::string::npos) << r[0];
  EXPECT_NE(r[0].find("p99"), std::string::npos) << r[0];
  EXPECT_NE(r[0].find("+30"), std::string::npos) << r[0];
  EXPECT_TRUE(c.routes[0].operations[0].regression);
}

TEST(CompareRuns, FasterIsNoRegression) {
  const RunComparison c = Compare(MakeRun(30), MakeRun(0, 1));
  EXPECT_TRUE(c.Regressions().empty());
  EXPECT_TRUE(c.routes[0].operations[0].improvement);
}

TEST(CompareRuns, ASignificantChangeUnderTheAbsoluteFloorIsNoRegression) {
  // +0.6 ms on stripe's 8.8 ms p99: significant, +7 % (over a 5 % threshold), under 1 ms.
  CompareOptions options;
  options.max_regression = 0.05;
  const RunComparison c = Compare(MakeRun(), MakeRun(0.6, 1), options);
  const OperationChange& stripe = c.routes[0].operations[0];
  ASSERT_EQ(stripe.operation, kStripe);
  EXPECT_TRUE(stripe.shift.significant);
  EXPECT_FALSE(stripe.regression);
  options.min_change = std::chrono::microseconds(100);  // the broken twin: the floor lowered
  EXPECT_TRUE(Compare(MakeRun(), MakeRun(0.6, 1), options).routes[0].operations[0].regression);
}

TEST(CompareRuns, AChangeUnderTheRelativeThresholdIsNoRegression) {
  // +1.5 ms on a 22 ms p99 is 7 %: over 1 ms, under 10 %.
  const RunComparison c = Compare(MakeRun(), MakeRun(1.5, 1));
  const OperationChange& gateway = c.routes[0].operations[1];
  ASSERT_EQ(gateway.operation, kRoute);
  EXPECT_TRUE(gateway.shift.significant);
  EXPECT_FALSE(gateway.regression);
  CompareOptions options;
  options.max_regression = 0.05;  // the broken twin
  EXPECT_TRUE(Compare(MakeRun(), MakeRun(1.5, 1), options).routes[0].operations[1].regression);
}

TEST(CompareRuns, ACheckThatPassedAndNowFailsIsARegression) {
  RunProfile now = MakeRun(0, 1);
  now.checks[1].passed = false;
  now.checks[1].reason = "12 spans lost";
  const RunComparison c = Compare(MakeRun(), now);
  const std::vector<std::string> r = c.Regressions();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_NE(r[0].find("throughput loss == 0 passed, now fails: 12 spans lost"), std::string::npos)
      << r[0];
  // The other way round is no regression.
  EXPECT_TRUE(Compare(now, MakeRun()).Regressions().empty());
}

TEST(CompareRuns, ChecksAreMatchedByKindAndLabel) {
  RunProfile now = MakeRun(0, 1);
  now.checks[0].label = "broken_traces == 1";
  now.checks[0].passed = false;
  const RunComparison c = Compare(MakeRun(), now);
  ASSERT_EQ(c.checks.size(), 3u);
  EXPECT_FALSE(c.checks[0].current_passed.has_value());  // only in base
  EXPECT_FALSE(c.checks[2].base_passed.has_value());     // only now
  EXPECT_TRUE(c.Regressions().empty());
}

TEST(CompareRuns, ShapeSaysNewMissingAndCountChanges) {
  RunProfile now = MakeRun(0, 1);
  RouteProfile& r = now.routes[kRoute];
  const std::string db = "orders INSERT orders [CLIENT]";
  r.edges.erase(kRoute + " → " + kStripe);
  r.edges[kRoute + " → " + db] = 3000;
  r.edges["(root) → " + kRoute] = 3000;
  RunProfile base = MakeRun();
  base.routes[kRoute].edges["x → y"] = 3000;
  now.routes[kRoute].edges["x → y"] = 6000;
  const RunComparison c = Compare(base, now);
  const auto& shape = c.routes[0].shape;
  ASSERT_EQ(shape.size(), 3u);
  auto find = [&](EdgeChange::Kind k) {
    for (const EdgeChange& e : shape)
      if (e.kind == k) return e;
    return EdgeChange{};
  };
  EXPECT_EQ(find(EdgeChange::Kind::kMissing).edge, kRoute + " → " + kStripe);
  EXPECT_EQ(find(EdgeChange::Kind::kNew).edge, kRoute + " → " + db);
  EXPECT_DOUBLE_EQ(find(EdgeChange::Kind::kCount).current_per_trace, 2.0);
}

TEST(CompareRuns, NoRouteInCommonIsRefusedNamingBothRuns) {
  RunProfile other = MakeRun();
  other.dir = "other";
  other.routes.clear();
  other.routes["spanload root [INTERNAL]"].route = "spanload root [INTERNAL]";
  std::string error;
  EXPECT_FALSE(CompareRuns(MakeRun(), other, {}, error));
  EXPECT_NE(error.find("no route in common"), std::string::npos) << error;
  EXPECT_NE(error.find(kRoute), std::string::npos) << error;
  EXPECT_NE(error.find("spanload root"), std::string::npos) << error;
}

TEST(CompareRuns, LossAndSamplingDeltas) {
  RunProfile now = MakeRun(0, 1);
  now.spans_delivered = 990;
  now.spans_lost = 10;
  now.traces = 1500;
  const RunComparison c = Compare(MakeRun(), now);
  EXPECT_DOUBLE_EQ(c.loss_fraction.current, 0.01);
  EXPECT_DOUBLE_EQ(c.traces_per_request.base, 1.0);
  EXPECT_DOUBLE_EQ(c.traces_per_request.current, 0.5);
}

}  // namespace
}  // namespace traceproof

namespace traceproof {
namespace {

LatencyShift Shift(double base_ms, double delta_ms, double low_ms, double high_ms) {
  LatencyShift s;
  s.base_ns = static_cast<std::int64_t>(base_ms * 1e6);
  s.current_ns = static_cast<std::int64_t>((base_ms + delta_ms) * 1e6);
  s.delta_ns = s.current_ns - s.base_ns;
  s.low_ns = static_cast<std::int64_t>(low_ms * 1e6);
  s.high_ns = static_cast<std::int64_t>(high_ms * 1e6);
  s.significant = s.low_ns > 0 || s.high_ns < 0;
  return s;
}

// The figures of a pair of identical checkout-baseline runs on a busy machine: charge-card's
// p99 1.2 → 2.6 ms, interval 0.17 … 3.4 ms. Significant, over 10 % and over 1 ms as a point
// estimate, but the interval reaches under 1 ms: noise, not a regression.
TEST(CompareRuns, AnIntervalReachingUnderTheFloorIsNoRegression) {
  const CompareOptions options;
  EXPECT_FALSE(IsRegression(Shift(1.2, 1.3, 0.17, 3.4), options));
  EXPECT_TRUE(IsRegression(Shift(8.1, 30.4, 29.3, 31.9), options));  // stripe + 30 ms
  EXPECT_TRUE(IsRegression(Shift(1.2, 1.3, 1.05, 1.6), options));    // the same, certain
  // Relative floor: 10 % of 100 ms is 10 ms; an interval from 8 ms is not past it.
  EXPECT_FALSE(IsRegression(Shift(100, 12, 8, 16), options));
  EXPECT_TRUE(IsRegression(Shift(100, 12, 10.5, 16), options));
  EXPECT_FALSE(IsRegression(Shift(10, -5, -6, -4), options));  // faster
  EXPECT_TRUE(IsImprovement(Shift(10, -5, -6, -4), options));
  EXPECT_FALSE(IsImprovement(Shift(10, -5, -6, -0.5), options));
}

}  // namespace
}  // namespace traceproof
