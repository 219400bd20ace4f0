#include "run/series_recorder.h"

#include <gtest/gtest.h>

#include <map>

#include "load/arrival.h"

namespace traceproof {
namespace {

using Clock = SeriesRecorder::Clock;
using std::chrono::milliseconds;

// Sources a test sets by hand: the sink's count and each process's CPU and RSS.
struct FakeSources {
  std::uint64_t spans = 0;
  std::vector<RunningProcess> running{{"traceproof", 100, false}};
  std::map<pid_t, ProcessReading> readings;

  SeriesSources Sources() {
    SeriesSources s;
    s.spans_received = [this] { return spans; };
    s.processes = [this] { return running; };
    s.read = [this](const RunningProcess& p) { return readings[p.pid]; };
    return s;
  }
};

LoadReading Load(std::uint64_t sent, double scheduled, std::vector<std::uint64_t> latencies_ns) {
  LoadReading r;
  r.counters.sent = sent;
  r.counters.scheduled = scheduled;
  for (std::uint64_t ns : latencies_ns) r.answers.Record(ns);
  return r;
}

TEST(SeriesRecorder, RowsHoldTheIntervalsDifferencesNotTheRunningTotals) {
  FakeSources fake;
  SeriesRecorder series(fake.Sources());
  const Clock::time_point t0{};
  series.BeginPhase("load", t0);
  fake.spans = 500;
  const LoadReading first = Load(100, 100, {});
  series.Record(t0 + milliseconds(1000), &first);
  fake.spans = 1300;
  LoadReading second = Load(250, 200, {});
  second.counters.errors_timeout = 3;
  second.counters.not_2xx = 2;
  second.counters.dropped = 4;
  series.Record(t0 + milliseconds(2000), &second);

  ASSERT_EQ(series.samples().size(), 2u);
  const SeriesSample& s = series.samples()[1];
  EXPECT_EQ(s.phase, "load");
  EXPECT_DOUBLE_EQ(s.t_s, 2.0);
  EXPECT_DOUBLE_EQ(s.interval_s, 1.0);
  EXPECT_EQ(s.requests, 150u);
  EXPECT_DOUBLE_EQ(s.requests_per_s, 150.0);
  EXPECT_DOUBLE_EQ(s.requests_per_s_target, 100.0);
  EXPECT_EQ(s.spans_received, 800u);
  EXPECT_EQ(s.errors.at("timeout"), 3u);
  EXPECT_EQ(s.errors.at("status"), 2u);
  EXPECT_EQ(s.errors.at("connect"), 0u) << "every kind is present";
  EXPECT_EQ(s.dropped_iterations, 4u);
}

TEST(SeriesRecorder, LatencyIsOverTheIntervalsAnswersOnly) {
  FakeSources fake;
  SeriesRecorder series(fake.Sources());
  const Clock::time_point t0{};
  series.BeginPhase("load", t0);
  const LoadReading slow = Load(100, 100, std::vector<std::uint64_t>(100, 500'000'000));
  series.Record(t0 + milliseconds(1000), &slow);
  std::vector<std::uint64_t> fast(99, 1'000'000);
  fast.push_back(9'000'000);
  const LoadReading quick = Load(200, 200, fast);
  series.Record(t0 + milliseconds(2000), &quick);

  const SeriesSample& s = series.samples()[1];
  EXPECT_EQ(s.responses, 100u);
  EXPECT_NEAR(static_cast<double>(s.p50_ns), 1e6, 1e4) << "the slow second does not leak in";
  EXPECT_NEAR(static_cast<double>(s.p99_ns), 1e6, 1e4);
  EXPECT_NEAR(static_cast<double>(s.max_ns), 9e6, 1e4);
  EXPECT_NEAR(static_cast<double>(series.samples()[0].p99_ns), 5e8, 5e5);
}

TEST(SeriesRecorder, CpuPercentIsTheIntervalsShareFromTheBaselineTakenAtTheFirstPhase) {
  FakeSources fake;
  fake.readings[100] = {10.0, 1 << 20};  // seconds before the run: not charged to a row
  SeriesRecorder series(fake.Sources());
  const Clock::time_point t0{};
  series.BeginPhase("warm-up", t0);
  fake.readings[100] = {10.5, 2 << 20};
  series.Record(t0 + milliseconds(1000), nullptr);
  fake.readings[100] = {11.5, 3 << 20};
  series.Record(t0 + milliseconds(2000), nullptr);

  ASSERT_EQ(series.samples()[0].processes.size(), 1u);
  EXPECT_EQ(series.samples()[0].processes[0].name, "traceproof");
  EXPECT_NEAR(series.samples()[0].processes[0].cpu_percent, 50.0, 1e-9);
  EXPECT_EQ(series.samples()[0].processes[0].rss_bytes, 2u << 20);
  EXPECT_NEAR(series.samples()[1].processes[0].cpu_percent, 100.0, 1e-9);
}

TEST(SeriesRecorder, AProcessStartedOrRestartedDuringTheRunIsChargedFromZero) {
  FakeSources fake;
  SeriesRecorder series(fake.Sources());
  const Clock::time_point t0{};
  series.BeginPhase("load", t0);
  fake.running.push_back({"collector", 200, false});
  fake.readings[200] = {0.25, 1000};
  series.Record(t0 + milliseconds(1000), nullptr);
  fake.running.back().pid = 201;  // killed and restarted by a fault
  fake.readings[201] = {0.5, 2000};
  series.Record(t0 + milliseconds(2000), nullptr);
  fake.running.pop_back();  // stopped
  series.Record(t0 + milliseconds(3000), nullptr);

  const auto& rows = series.samples();
  ASSERT_EQ(rows[0].processes.size(), 2u);
  EXPECT_NEAR(rows[0].processes[1].cpu_percent, 25.0, 1e-9);
  EXPECT_NEAR(rows[1].processes[1].cpu_percent, 50.0, 1e-9) << "not 0.5 - 0.25 s";
  EXPECT_EQ(rows[2].processes.size(), 1u) << "a process that is gone is left out";
}

TEST(SeriesRecorder, ANewPhaseStartsItsLoadCountersFromZeroAndTimeGoesOn) {
  FakeSources fake;
  SeriesRecorder series(fake.Sources());
  const Clock::time_point t0{};
  series.BeginPhase("warm-up", t0);
  EXPECT_FALSE(series.Due(t0 + milliseconds(999)));
  EXPECT_TRUE(series.Due(t0 + milliseconds(1000)));
  const LoadReading warm = Load(50, 50, {});
  series.Record(t0 + milliseconds(1000), &warm);
  series.BeginPhase("load", t0 + milliseconds(1100));
  const LoadReading load = Load(30, 40, {});
  series.Record(t0 + milliseconds(1600), &load);  // the phase's last, shorter row

  const SeriesSample& s = series.samples()[1];
  EXPECT_EQ(s.phase, "load");
  EXPECT_DOUBLE_EQ(s.t_s, 1.6);
  EXPECT_DOUBLE_EQ(s.interval_s, 0.5);
  EXPECT_EQ(s.requests, 30u);
  EXPECT_DOUBLE_EQ(s.requests_per_s, 60.0);
  EXPECT_DOUBLE_EQ(s.requests_per_s_target, 80.0);
}

TEST(SeriesRecorder, RowsAreDueOnAFixedBeatSoLateLooksDoNotDrift) {
  FakeSources fake;
  SeriesRecorder series(fake.Sources());
  const Clock::time_point t0{};
  series.BeginPhase("load", t0);
  series.Record(t0 + milliseconds(1090), nullptr);  // looked 90 ms late
  EXPECT_FALSE(series.Due(t0 + milliseconds(1999)));
  EXPECT_TRUE(series.Due(t0 + milliseconds(2000))) << "not 2090 ms";
  series.Record(t0 + milliseconds(3500), nullptr);  // a long gap (a flush) skips beats
  EXPECT_FALSE(series.Due(t0 + milliseconds(3999)));
  EXPECT_TRUE(series.Due(t0 + milliseconds(4000)));
}

TEST(SeriesRecorder, AClosingRowRightAfterADueOneIsDroppedOnlyWhenNothingMoved) {
  FakeSources fake;
  SeriesRecorder series(fake.Sources());
  const Clock::time_point t0{};
  series.BeginPhase("load", t0);
  const LoadReading due = Load(200, 200, {});
  series.Record(t0 + milliseconds(1000), &due);
  const LoadReading same = Load(200, 200, {});
  series.Record(t0 + milliseconds(1001), &same);
  EXPECT_EQ(series.samples().size(), 1u);
  const LoadReading one_more = Load(201, 200, {});
  series.Record(t0 + milliseconds(1002), &one_more);
  ASSERT_EQ(series.samples().size(), 2u) << "a request sent in the last 2 ms still counts";
  EXPECT_EQ(series.samples()[1].requests, 1u);
}

TEST(SeriesRecorder, DrainRowsCarrySpansAndProcessesButNoLoad) {
  FakeSources fake;
  SeriesRecorder series(fake.Sources());
  const Clock::time_point t0{};
  series.Record(t0, nullptr);
  EXPECT_TRUE(series.samples().empty()) << "no row before the first phase";
  series.BeginPhase("drain", t0);
  fake.spans = 42;
  series.Record(t0 + milliseconds(1000), nullptr);
  ASSERT_EQ(series.samples().size(), 1u);
  EXPECT_EQ(series.samples()[0].spans_received, 42u);
  EXPECT_EQ(series.samples()[0].requests, 0u);
  EXPECT_EQ(series.samples()[0].p99_ns, 0u);
  EXPECT_EQ(series.samples()[0].errors.size(), 5u);
}

TEST(ExpectedCountBetween, IntegratesConstantAndRampingPhasesOverAWindow) {
  using std::chrono::seconds;
  const std::vector<ArrivalPhase> phases = {ArrivalPhase::Constant(100, seconds(2)),
                                            ArrivalPhase::Ramping(0, 100, seconds(2))};
  EXPECT_DOUBLE_EQ(ExpectedCountBetween(phases, 0, 1), 100);
  // 0.5 s at 100/s, then the ramp's first 0.5 s (0 to 25/s): 50 + 6.25.
  EXPECT_DOUBLE_EQ(ExpectedCountBetween(phases, 1.5, 2.5), 56.25);
  EXPECT_DOUBLE_EQ(ExpectedCountBetween(phases, 2, 4), 100);  // the ramp's mean, 50/s, for 2 s
  EXPECT_DOUBLE_EQ(ExpectedCountBetween(phases, 4, 9), 0);
}

}  // namespace
}  // namespace traceproof
