#include "load/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace traceproof {
namespace {

// Relative error allowed by three significant digits (HdrHistogram's guarantee is 1/2048 of
// the value's magnitude; 0.1 % is the documented promise).
constexpr double kPrecision = 0.001;

TEST(Histogram, EmptyReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.TotalCount(), 0u);
  EXPECT_EQ(h.ValueAtPercentile(99), 0u);
  EXPECT_EQ(h.Min(), 0u);
  EXPECT_EQ(h.Max(), 0u);
  EXPECT_EQ(h.Mean(), 0);
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (std::uint64_t v = 0; v < 2048; ++v) EXPECT_EQ(Histogram::LowestEquivalent(v), v);
  h.Record(1);
  h.Record(7);
  h.Record(2047);
  EXPECT_EQ(h.ValueAtPercentile(0), 1u);
  EXPECT_EQ(h.ValueAtPercentile(50), 7u);
  EXPECT_EQ(h.ValueAtPercentile(100), 2047u);
}

TEST(Histogram, EquivalentRangesKeepThreeSignificantDigits) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t v = rng() % Histogram::kHighestTrackableNs;
    const std::uint64_t lo = Histogram::LowestEquivalent(v);
    const std::uint64_t hi = Histogram::HighestEquivalent(v);
    ASSERT_LE(lo, v);
    ASSERT_GE(hi, v);
    ASSERT_LE(static_cast<double>(hi - lo), std::max(1.0, v * kPrecision)) << v;
    ASSERT_EQ(Histogram::IndexOf(lo), Histogram::IndexOf(v));
    ASSERT_EQ(Histogram::IndexOf(hi), Histogram::IndexOf(v));
  }
}

TEST(Histogram, PercentilesMatchSortedSamplesWithinPrecision) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(std::log(2e6), 1.0);  // ~2 ms median
  std::vector<std::uint64_t> samples;
  Histogram h;
  for (int i = 0; i < 200000; ++i) {
    const auto v = static_cast<std::uint64_t>(dist(rng));
    samples.push_back(v);
    h.Record(v);
  }
  std::sort(samples.begin(), samples.end());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    // HdrHistogram's rank convention: nearest count, at least one.
    const auto count =
        std::max<std::size_t>(1, static_cast<std::size_t>(p / 100 * samples.size() + 0.5));
    const auto rank = count - 1;
    const double exact = static_cast<double>(samples[rank]);
    EXPECT_NEAR(static_cast<double>(h.ValueAtPercentile(p)), exact, exact * kPrecision) << p;
  }
  EXPECT_EQ(h.Min(), samples.front());
  EXPECT_EQ(h.Max(), samples.back());
  double mean = 0;
  for (auto v : samples) mean += static_cast<double>(v);
  mean /= static_cast<double>(samples.size());
  EXPECT_NEAR(h.Mean(), mean, mean * kPrecision);
}

TEST(Histogram, MergeEqualsRecordingEverythingInOne) {
  Histogram a, b, all;
  for (std::uint64_t v = 1; v < 1'000'000'000; v = v * 3 + 1) {
    (v % 2 ? a : b).Record(v);
    all.Record(v);
  }
  a.Merge(b);
  EXPECT_EQ(a.TotalCount(), all.TotalCount());
  EXPECT_EQ(a.Min(), all.Min());
  EXPECT_EQ(a.Max(), all.Max());
  for (double p : {0.0, 25.0, 50.0, 75.0, 99.0, 100.0})
    EXPECT_EQ(a.ValueAtPercentile(p), all.ValueAtPercentile(p)) << p;
  EXPECT_EQ(a.Serialize(), all.Serialize());
}

TEST(Histogram, ValuesAboveOneHourAreClampedAndCounted) {
  Histogram h;
  h.Record(Histogram::kHighestTrackableNs * 5);
  h.Record(10);
  EXPECT_EQ(h.Saturated(), 1u);
  EXPECT_EQ(h.Max(), Histogram::kHighestTrackableNs);
  EXPECT_EQ(h.TotalCount(), 2u);
}

TEST(Histogram, SerializeRoundTrips) {
  Histogram h;
  for (std::uint64_t v = 5; v < 10'000'000'000ULL; v *= 7) h.Record(v, v % 13 + 1);
  const std::string text = h.Serialize();
  const auto back = Histogram::Deserialize(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->Serialize(), text);
  EXPECT_EQ(back->ValueAtPercentile(99), h.ValueAtPercentile(99));
  EXPECT_EQ(back->Min(), h.Min());
}

TEST(Histogram, DeserializeRefusesDamagedText) {
  Histogram h;
  h.Record(1000);
  h.Record(2000);
  const std::string good = h.Serialize();
  const std::vector<std::string> bad = {
      "",
      "hello",
      good.substr(0, good.size() - 4),                // truncated: counts disagree
      "traceproof-hist v1 1 0 5 5\n99999999999:1\n",  // index out of range
      "traceproof-hist v1 2 0 5 5\n5:1\n",            // total disagrees with counts
      "traceproof-hist v1 1 0 5 5\n5:x\n",            // not a number
      "traceproof-hist v1 1 0 9 5\n5:1\n",            // min > max
      "traceproof-hist v1 18446744073709551615 0 5 5\n5:18446744073709551615\n5:1\n",
  };
  for (const auto& text : bad) EXPECT_FALSE(Histogram::Deserialize(text).has_value()) << text;
  EXPECT_TRUE(Histogram::Deserialize(good).has_value());
}

TEST(Histogram, PercentileTextEndsAtMaxWithTotals) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 1000; ++v) h.Record(v * 1000);
  const std::string text = h.ToPercentileText();
  EXPECT_NE(text.find("1/(1-Percentile)"), std::string::npos);
  EXPECT_NE(text.find("1.000000000000       1000"), std::string::npos) << text;
  EXPECT_NE(text.find("Total count    =         1000"), std::string::npos) << text;
}

}  // namespace
}  // namespace traceproof
