// What one run of a scenario produced, for the reports (summary.json, junit.xml, report.txt) and
// the exit code: how it ended, the check results, everything the checks read, and what the
// Collector and the forwarder did. Plain data plus the verdict rules (all pass, or exactly the
// failures the scenario's `expect:` names). Written by the run thread, read afterwards.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checks/check.h"
#include "checks/run_data.h"
#include "process/collector_metrics.h"
#include "process/process_under_test.h"
#include "receiver/otlp_forwarder.h"
#include "run/series_sample.h"
#include "run/trace_stream.h"
#include "scenario/scenario.h"

namespace traceproof {

// The Collector of a scenario with `collector:`: what it was, what it did, what it cost.
struct CollectorReport {
  std::string binary;
  std::string config;
  std::string log;  // everything it printed (every incarnation); `run` writes collector.log
  CollectorCounters counters;  // last scrape (plus earlier incarnations), before the stop
  std::uint64_t spans_flushed_at_stop = 0;  // reached the sink after the last scrape
  ProcessMetrics resources;
  int kills = 0;
  int restarts = 0;
  int exit_status = -1;  // of the last incarnation, after the graceful stop
};

struct RunOutcome {
  enum class Status { kCompleted, kInterrupted, kEnvironmentError };
  Status status = Status::kCompleted;
  std::string error;  // kEnvironmentError: what could not start
  std::vector<CheckResult> results;
  // Load stats, hops; no traces (they streamed, see `traces`), and ground truth only where a
  // check reads it whole at the end (Check::ReadsRunTruth) or the services are elsewhere.
  RunData data;
  TraceDigest traces;  // what the streaming checks saw: counts, the slowest trace whole
  std::uint64_t ground_truth_spans = 0;  // recorded by the services, handed to the checks
  // The truth joiner's: requests handed out, given up on (a trace never completed), the most
  // held at once, and still held when the drain ended (handed out by the final flush).
  checks::TruthJoinCounts truth_join;
  std::uint64_t truth_requests_held_at_end = 0;
  double wall_seconds = 0;
  std::uint64_t sink_spans_received = 0;
  std::uint64_t sink_spans_accepted = 0;
  std::uint64_t sink_spans_refused = 0;
  // Traces handed out again with spans that came after their completion, and those spans
  // (update records; a span exported after the sink stopped is refused and counted as loss).
  std::uint64_t sink_update_records = 0;
  std::uint64_t sink_late_spans = 0;
  std::optional<CollectorReport> collector;
  std::optional<ForwarderStats> forward;  // with RunOptions::forward_to
  std::vector<SeriesSample> series;       // one row a second of warm-up, load and drain

  bool ChecksPassed() const;
  // Did the run conclude what the scenario expects (all pass, or the named kinds failing)?
  bool AsExpected(const Expectation& expect, std::string& why) const;
};

// Builds each check from its spec and runs it over `data`, in the scenario's order.
std::vector<CheckResult> RunChecks(const std::vector<CheckSpec>& specs, const RunData& data);

}  // namespace traceproof
