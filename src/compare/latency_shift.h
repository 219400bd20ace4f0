// Whether an operation's latency percentile moved between two runs beyond what the runs' own
// noise explains: a block bootstrap of the percentile difference over the recorded span
// durations, seeded so the same two runs always give the same answer.
//
// Why a bootstrap and not Mann–Whitney: the exit code thresholds a *percentile* (p99 by
// default), and Mann–Whitney tests whether one sample tends to be larger than the other, which
// the bulk decides: a tail-only regression (5 % of requests 30 ms slower) barely moves the
// ranks, while thousands of spans make a 50 µs median shift "significant". The bootstrap
// gives an interval for the very statistic we threshold. Why blocks: on a shared machine the
// tail comes in bursts (another process takes the cores for a second), so spans close in time
// are not independent; resampling whole seconds of the run (spans grouped by the second their
// start falls in; shorter blocks when a run has fewer than 20 seconds) keeps a burst together, and
// the interval widens when a few noisy seconds own the p99, instead of treating thousands of
// correlated spans as independent evidence. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace traceproof {

// One operation's spans in one run: durations and when each started.
struct DurationSample {
  std::vector<std::int64_t> duration_ns;
  std::vector<std::uint32_t> start_ms;  // same length; ms since the run's first span
};

struct ShiftOptions {
  double percentile = 99;             // the statistic compared
  int resamples = 1000;               // bootstrap replicates
  double confidence = 0.99;           // of the two-sided interval of the difference
  std::uint64_t seed = 0x7472616365;  // mixed with the operation's name: deterministic
  std::size_t max_spans = 4000;       // per run and operation; more are thinned evenly
};

struct LatencyShift {
  std::int64_t base_ns = 0;  // the percentile in each run
  std::int64_t current_ns = 0;
  std::int64_t delta_ns = 0;  // current - base
  std::int64_t low_ns = 0;    // the difference's bootstrap interval
  std::int64_t high_ns = 0;
  bool significant = false;  // the interval excludes 0
  std::size_t base_spans = 0;
  std::size_t current_spans = 0;
};

// Nearest-rank percentile (p in 0..100) of `values`, which it reorders; 0 when empty.
std::int64_t PercentileNs(std::vector<std::int64_t>& values, double p);

// `name` seeds the resampling (with options.seed), so one operation's answer does not depend on
// which other operations were compared. With fewer than 2 spans on a side: not significant.
LatencyShift CompareLatency(const DurationSample& base, const DurationSample& current,
                            std::string_view name, const ShiftOptions& options = {});

}  // namespace traceproof
