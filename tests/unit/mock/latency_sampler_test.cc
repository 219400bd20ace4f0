// LatencySampler: each distribution matches its spec statistically (seeded, so deterministic),
// spikes land on exactly every N-th draw, and the graph's scale multiplies the result.
#include "mock_services/latency_sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace traceproof::mock {
namespace {

using std::chrono::milliseconds;

Latency Spec(Latency::Dist dist, Nanos a, Nanos b = Nanos(0)) {
  Latency spec;
  spec.dist = dist;
  spec.a = a;
  spec.b = b;
  return spec;
}

std::vector<double> Draw(LatencySampler& sampler, int n, std::uint64_t seed = 42) {
  std::mt19937_64 rng(seed);
  std::vector<double> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) out.push_back(static_cast<double>(sampler.Sample(rng).count()));
  return out;
}

double Mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

double Stddev(const std::vector<double>& v) {
  const double mean = Mean(v);
  double sum = 0;
  for (double x : v) sum += (x - mean) * (x - mean);
  return std::sqrt(sum / static_cast<double>(v.size() - 1));
}

double Quantile(std::vector<double> v, double q) {
  const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

TEST(LatencySampler, FixedReturnsExactlyTheValue) {
  LatencySampler sampler(Spec(Latency::Dist::kFixed, milliseconds(8)), 1.0);
  std::mt19937_64 rng(1);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(sampler.Sample(rng), milliseconds(8));
}

TEST(LatencySampler, UniformStaysWithinBoundsAndCentresOnTheMidpoint) {
  LatencySampler sampler(Spec(Latency::Dist::kUniform, milliseconds(10), milliseconds(30)), 1.0);
  const std::vector<double> draws = Draw(sampler, 100'000);
  EXPECT_GE(*std::min_element(draws.begin(), draws.end()), 10e6);
  EXPECT_LE(*std::max_element(draws.begin(), draws.end()), 30e6);
  EXPECT_NEAR(Mean(draws), 20e6, 20e6 * 0.02);
  // Not a constant: the draws cover the range.
  EXPECT_LT(*std::min_element(draws.begin(), draws.end()), 11e6);
  EXPECT_GT(*std::max_element(draws.begin(), draws.end()), 29e6);
}

TEST(LatencySampler, NormalMatchesMeanAndStddev) {
  LatencySampler sampler(Spec(Latency::Dist::kNormal, milliseconds(100), milliseconds(10)), 1.0);
  const std::vector<double> draws = Draw(sampler, 100'000);
  EXPECT_NEAR(Mean(draws), 100e6, 100e6 * 0.03);
  EXPECT_NEAR(Stddev(draws), 10e6, 10e6 * 0.03);
}

TEST(LatencySampler, NormalIsClampedAtZero) {
  LatencySampler sampler(Spec(Latency::Dist::kNormal, milliseconds(1), milliseconds(10)), 1.0);
  const std::vector<double> draws = Draw(sampler, 10'000);
  EXPECT_EQ(*std::min_element(draws.begin(), draws.end()), 0.0);
  EXPECT_GT(std::count(draws.begin(), draws.end(), 0.0), 3000) << "about 46% fall below 0";
}

TEST(LatencySampler, LognormalHitsTheSpecifiedMedianAndP99) {
  // The seed article's Stripe call: median 300 ms, p99 3.9 s (a long tail).
  LatencySampler sampler(Spec(Latency::Dist::kLognormal, milliseconds(300), milliseconds(3900)),
                         1.0);
  const std::vector<double> draws = Draw(sampler, 200'000);
  EXPECT_NEAR(Quantile(draws, 0.50), 300e6, 300e6 * 0.03);
  EXPECT_NEAR(Quantile(draws, 0.99), 3900e6, 3900e6 * 0.03);
}

TEST(LatencySampler, LognormalWithANarrowTailHitsItsQuantilesToo) {
  LatencySampler sampler(Spec(Latency::Dist::kLognormal, milliseconds(390), milliseconds(600)),
                         1.0);
  const std::vector<double> draws = Draw(sampler, 200'000, 7);
  EXPECT_NEAR(Quantile(draws, 0.50), 390e6, 390e6 * 0.03);
  EXPECT_NEAR(Quantile(draws, 0.99), 600e6, 600e6 * 0.03);
}

TEST(LatencySampler, LognormalWithEqualQuantilesIsConstant) {
  LatencySampler sampler(Spec(Latency::Dist::kLognormal, milliseconds(5), milliseconds(5)), 1.0);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(sampler.Sample(rng), milliseconds(5));
}

TEST(LatencySampler, SpikesLandOnExactlyEveryNthDraw) {
  Latency spec = Spec(Latency::Dist::kFixed, milliseconds(1));
  spec.spike_every = 3;
  spec.spike_add = milliseconds(100);
  LatencySampler sampler(spec, 1.0);
  std::mt19937_64 rng(1);
  for (int call = 1; call <= 30; ++call) {
    const Nanos want = call % 3 == 0 ? milliseconds(101) : milliseconds(1);
    ASSERT_EQ(sampler.Sample(rng), want) << "call " << call;
  }
}

TEST(LatencySampler, ScaleMultipliesTheDrawIncludingSpikes) {
  LatencySampler seed(Spec(Latency::Dist::kFixed, milliseconds(4200)), 0.1);
  std::mt19937_64 rng(1);
  EXPECT_EQ(seed.Sample(rng), milliseconds(420));

  Latency spec = Spec(Latency::Dist::kFixed, milliseconds(10));
  spec.spike_every = 1;
  spec.spike_add = milliseconds(90);
  LatencySampler spiky(spec, 0.5);
  EXPECT_EQ(spiky.Sample(rng), milliseconds(50));

  LatencySampler uniform(Spec(Latency::Dist::kUniform, milliseconds(10), milliseconds(30)), 2.0);
  const std::vector<double> draws = Draw(uniform, 10'000);
  EXPECT_GE(*std::min_element(draws.begin(), draws.end()), 20e6);
  EXPECT_NEAR(Mean(draws), 40e6, 40e6 * 0.02);
}

}  // namespace
}  // namespace traceproof::mock
