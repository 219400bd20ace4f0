// `traceproof compare`'s judgement of two runs that share routes (the same scenario, or
// variants of it with other faults, rates or Collector configs): per route in common, the
// trace shape (edges between operations: new, missing, per-trace count changes) and each
// operation's latency percentiles with the block bootstrap of latency_shift.h; per check, the
// verdict change; the load's and the spans' deltas. A latency change is a regression when it
// is significant AND beyond max_regression of the base's percentile AND beyond min_change,
// and "beyond" is read with the interval, not only the point estimate: the whole run's
// percentile changed by more than the larger threshold, and the whole interval of the typical
// second's change (latency_shift.h) lies past it too. A +1.3 ms p99 change of a 1 ms operation
// whose interval is 0.2 … 3.4 ms is significant, but not significantly over 1 ms; on a shared
// machine that is what noise looks like, while a real fault's interval clears the threshold by
// far (stripe +30 ms: 28 … 33 ms). A check that passed and now fails is a regression too.
// Either makes the exit code 1. // Pure functions over two RunProfiles, thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compare/latency_shift.h"
#include "compare/run_profile.h"

namespace traceproof {

struct CompareOptions {
  double max_regression = 0.10;  // fraction of the base's percentile
  std::chrono::nanoseconds min_change = std::chrono::milliseconds(1);
  ShiftOptions shift;  // the percentile compared (p99 by default), resamples, seed
};

struct EdgeChange {
  std::string edge;  // "parent → child"
  double base_per_trace = 0;
  double current_per_trace = 0;
  enum class Kind { kNew, kMissing, kCount } kind = Kind::kCount;
};

struct OperationChange {
  std::string operation;
  std::int64_t base_p50_ns = 0;
  std::int64_t current_p50_ns = 0;
  LatencyShift shift;        // of the compared percentile
  bool regression = false;   // significant, beyond both thresholds, slower
  bool improvement = false;  // the same, faster
};

struct RouteComparison {
  std::string route;
  std::uint64_t base_traces = 0;
  std::uint64_t current_traces = 0;
  std::vector<EdgeChange> shape;            // only edges that changed
  std::vector<OperationChange> operations;  // every operation seen in both, deepest first
  std::vector<std::string> only_in_base;    // operations
  std::vector<std::string> only_in_current;
};

struct CheckChange {
  std::string kind;
  std::string label;
  std::optional<bool> base_passed;  // nullopt: the check is not in that run
  std::optional<bool> current_passed;
  std::string current_reason;
  bool Regressed() const { return base_passed.value_or(false) && !current_passed.value_or(true); }
};

struct Delta {
  double base = 0;
  double current = 0;
};

struct RunComparison {
  std::string base_dir, current_dir;
  std::string base_scenario, current_scenario;
  std::vector<RouteComparison> routes;  // routes in common, by name
  std::vector<std::string> routes_only_in_base, routes_only_in_current;
  std::vector<CheckChange> checks;  // every check of either run, base's order first
  Delta requests_sent, achieved_rate_per_s, request_errors, dropped_iterations;
  Delta spans_lost, spans_delivered, loss_fraction;
  Delta traces_per_request;  // observed sampling: whole traces per request sent
  std::optional<Delta> head_sampler_ratio;
  CompareOptions options;

  // One line per reason the exit code is 1: a regressed operation (route, operation, the
  // percentile's change) or a check that passed and now fails. Empty: exit 0.
  std::vector<std::string> Regressions() const;
};

// The rule above for one operation: slower (or faster) with the whole interval past
// max(min_change, max_regression x base).
bool IsRegression(const LatencyShift& shift, const CompareOptions& options);
bool IsImprovement(const LatencyShift& shift, const CompareOptions& options);

// nullopt with `error` when the runs have no route in common (naming both runs' routes).
std::optional<RunComparison> CompareRuns(const RunProfile& base, const RunProfile& current,
                                         const CompareOptions& options, std::string& error);

}  // namespace traceproof
