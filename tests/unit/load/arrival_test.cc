#include "load/arrival.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace traceproof {
namespace {

using std::chrono::seconds;

std::vector<double> AllTimes(const std::vector<ArrivalPhase>& phases, int workers,
                             std::uint64_t seed = 1) {
  std::vector<double> times;
  for (int w = 0; w < workers; ++w) {
    ArrivalSchedule schedule(phases, w, workers, seed);
    double last = -1;
    while (auto a = schedule.Next()) {
      const double t = a->at.count() / 1e9;
      EXPECT_GE(t, last) << "a worker's arrivals come in order";
      last = t;
      times.push_back(t);
    }
  }
  std::sort(times.begin(), times.end());
  return times;
}

TEST(ArrivalSchedule, ConstantRateIsEvenlySpacedAcrossWorkers) {
  const auto times = AllTimes({ArrivalPhase::Constant(1000, seconds(2))}, 3);
  ASSERT_EQ(times.size(), 2000u);
  for (std::size_t i = 1; i < times.size(); ++i)
    ASSERT_NEAR(times[i] - times[i - 1], 0.001, 1e-6) << i;
}

TEST(ArrivalSchedule, RampingRateIntegratesToTheTrapezoid) {
  const ArrivalPhase ramp = ArrivalPhase::Ramping(100, 1100, seconds(4));
  EXPECT_DOUBLE_EQ(ramp.ExpectedCount(), 2400);
  const auto times = AllTimes({ramp}, 2);
  EXPECT_NEAR(static_cast<double>(times.size()), 2400, 1);
  // The rate climbs 250/s each second: 100..350/s in the first, 850..1100/s in the last.
  const auto first = std::count_if(times.begin(), times.end(), [](double t) { return t < 1; });
  const auto last = std::count_if(times.begin(), times.end(), [](double t) { return t >= 3; });
  EXPECT_NEAR(static_cast<double>(first), 225, 2);
  EXPECT_NEAR(static_cast<double>(last), 975, 2);
}

TEST(ArrivalSchedule, FallingRampWorks) {
  const auto times = AllTimes({ArrivalPhase::Ramping(1000, 0, seconds(2))}, 1);
  EXPECT_NEAR(static_cast<double>(times.size()), 1000, 1);
}

TEST(ArrivalSchedule, PhasesFollowEachOtherInTime) {
  const auto times = AllTimes(
      {ArrivalPhase::Constant(10, seconds(1)), ArrivalPhase::Constant(100, seconds(1))}, 2);
  ASSERT_EQ(times.size(), 110u);
  EXPECT_LT(times[9], 1.0);
  EXPECT_GE(times[10], 1.0);
}

TEST(ArrivalSchedule, PoissonHasTheRateAndExponentialGaps) {
  const auto times = AllTimes({ArrivalPhase::Poisson(2000, seconds(10))}, 4, 99);
  // Count within ~4 standard deviations of 20000.
  EXPECT_NEAR(static_cast<double>(times.size()), 20000, 4 * std::sqrt(20000.0));
  // Exponential gaps: the coefficient of variation is 1 (constant spacing would give 0).
  double mean = 0, sq = 0;
  for (std::size_t i = 1; i < times.size(); ++i) mean += times[i] - times[i - 1];
  mean /= static_cast<double>(times.size() - 1);
  for (std::size_t i = 1; i < times.size(); ++i) {
    const double d = times[i] - times[i - 1] - mean;
    sq += d * d;
  }
  const double cv = std::sqrt(sq / static_cast<double>(times.size() - 1)) / mean;
  EXPECT_NEAR(cv, 1.0, 0.05);
}

TEST(ArrivalSchedule, ZeroRatePhaseIsSkippedNotStuck) {
  const auto times =
      AllTimes({ArrivalPhase::Constant(0, seconds(1)), ArrivalPhase::Constant(5, seconds(1))}, 1);
  ASSERT_EQ(times.size(), 5u);
  EXPECT_GE(times[0], 1.0);
}

// Shards: N processes, shard I with W_I workers, worker w taking slot I + N * w of N * W_I.
// Together they must send exactly the schedule one process with one worker sends, arrival for
// arrival, for every phase kind (the Poisson draws included: every slot draws the same
// stream), even when the shards have different numbers of workers.
TEST(ArrivalSchedule, ShardsTogetherSendExactlyTheOneProcessSchedule) {
  const std::vector<ArrivalPhase> phases = {ArrivalPhase::Constant(300, seconds(2)),
                                            ArrivalPhase::Ramping(300, 900, seconds(2)),
                                            ArrivalPhase::Poisson(700, seconds(3))};
  const std::vector<double> alone = AllTimes(phases, 1, 7);
  const int shards = 3;
  const int workers_of[shards] = {2, 1, 3};
  std::vector<double> together;
  std::vector<std::size_t> per_shard(shards);
  for (int shard = 0; shard < shards; ++shard) {
    const int workers = workers_of[shard];
    for (int w = 0; w < workers; ++w) {
      ArrivalSchedule schedule(phases, shard + shards * w, shards * workers, 7);
      while (auto a = schedule.Next()) {
        together.push_back(a->at.count() / 1e9);
        ++per_shard[shard];
      }
    }
  }
  std::sort(together.begin(), together.end());
  ASSERT_EQ(together.size(), alone.size());
  for (std::size_t i = 0; i < alone.size(); ++i) ASSERT_EQ(together[i], alone[i]) << i;
  // Each shard gets its third, to one arrival per worker per phase.
  for (std::size_t n : per_shard) EXPECT_NEAR(static_cast<double>(n), alone.size() / 3.0, 3.0 * 3);
}

TEST(ArrivalSchedule, ADifferentSeedIsADifferentPoissonSchedule) {
  const std::vector<ArrivalPhase> phases = {ArrivalPhase::Poisson(500, seconds(1))};
  EXPECT_NE(AllTimes(phases, 2, 1), AllTimes(phases, 2, 2));
  EXPECT_EQ(AllTimes(phases, 2, 1), AllTimes(phases, 1, 1));
}

}  // namespace
}  // namespace traceproof
