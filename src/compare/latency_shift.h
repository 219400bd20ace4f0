// Whether an operation's latency percentile moved between two runs beyond what the runs' own
// noise explains: a block bootstrap over the recorded span durations, seeded so the same two
// runs always give the same answer.
//
// Why a bootstrap and not Mann–Whitney: the exit code thresholds a *percentile* (p99 by
// default), and Mann–Whitney tests whether one sample tends to be larger than the other, which
// the bulk decides: a tail-only regression (5 % of requests 30 ms slower) barely moves the
// ranks, while thousands of spans make a 50 µs median shift "significant". The bootstrap
// gives an interval for a percentile's change itself.
//
// Why blocks, and which statistic: on a shared machine the tail comes in bursts (another
// process takes the cores for a few seconds) that raise every operation's tail at once. The
// p99 of a whole 12 s run is owned by its worst two or three seconds, so between two identical
// runs it moves by several ms (measured: 11.8 → 16.9 ms for orders POST /orders, its interval
// +1.5 … +8.5 ms even resampled by the second). So the statistic tested is the *typical
// second's* percentile: the run cut into blocks of at least a second (and of ~100 spans or
// more), the percentile of each block, their median. A fault moves every second's percentile
// (stripe +30 ms: +30 ms); a burst moves a few seconds' and not their median. The bootstrap
// resamples whole blocks and takes that median, giving the interval of its change. With fewer
// than 4 blocks (a short or sparse run) it falls back to resampling spans one by one and the
// whole run's percentile. The whole run's percentile is still what is reported (base_ns,
// current_ns). Pure functions, thread-safe.
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
  std::int64_t base_ns = 0;  // the whole run's percentile in each run
  std::int64_t current_ns = 0;
  std::int64_t delta_ns = 0;          // current - base
  std::int64_t typical_delta_ns = 0;  // the change of the typical block's percentile
  std::int64_t low_ns = 0;            // typical_delta_ns's bootstrap interval
  std::int64_t high_ns = 0;
  std::size_t blocks = 0;    // the fewer of the two runs' blocks (0: spans resampled one by one)
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
