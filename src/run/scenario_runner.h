// One run of a scenario, the Collector testbed's lifecycle made explicit: start the embedded
// sink → start the mock services (exporting to the sink, recording ground truth) → warm-up →
// load phases → drain (until the sink is quiet, bounded) → stop services and receivers →
// checks. Everything is stopped in reverse order on every path, including a stop request
// (Ctrl-C): what was measured so far is still returned and checked. No files are written here;
// the caller turns the outcome into reports. RunScenario blocks; call it from one thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checks/check.h"
#include "checks/run_data.h"
#include "process/collector_process.h"
#include "receiver/otlp_forwarder.h"
#include "scenario/scenario.h"

namespace traceproof {

class Reaper;

// What the run is doing, for a progress line; called about once a second from the run thread.
struct RunProgress {
  std::string phase;  // "warm-up", "load", "drain", "checks"
  double elapsed_s = 0;
  double phase_total_s = 0;  // 0 when unknown
  std::uint64_t requests_sent = 0;
  double rate_per_s = 0;  // over the last interval
  std::uint64_t p99_corrected_ns = 0;
  std::uint64_t spans_received = 0;
  std::uint64_t dropped_iterations = 0;
  std::uint64_t errors = 0;
  // During load: the checks on a sample of settled requests (run/checks_so_far.h); 0 requests:
  // no look yet, or none for this run (a Collector in the loop, say).
  std::size_t checks_so_far_requests = 0;
  std::vector<std::string> failing_so_far;  // check kinds
};

struct RunOptions {
  int service_threads = 2;
  int load_threads = 1;
  int load_connections = 256;
  std::function<void(const RunProgress&)> on_progress;  // may be empty
  std::function<void(const std::string&)> log;          // lifecycle lines; may be empty
  const std::atomic<bool>* stop = nullptr;              // Ctrl-C
  // Where the embedded sink listens (`run --sink-listen`): a Collector in another container
  // exports to it. Port 0: a free one. A run always has both receivers (sink/sink.h).
  std::string sink_grpc_host = "127.0.0.1";
  std::uint16_t sink_grpc_port = 0;
  std::string sink_http_host = "127.0.0.1";
  std::uint16_t sink_http_port = 0;
  // `run --forward-to HOST:PORT`: every export request the sink accepted is passed on over
  // OTLP/gRPC (receiver/otlp_forwarder.h); empty: none.
  std::string forward_to;
  // Every process the run starts (Collector, broker) is registered with it, so none outlives
  // traceproof (process/reaper.h); nullptr: none.
  Reaper* reaper = nullptr;
};

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
  RunData data;  // traces, truth, load stats, hops
  double wall_seconds = 0;
  std::uint64_t sink_spans_received = 0;
  std::uint64_t sink_spans_accepted = 0;
  std::uint64_t sink_spans_refused = 0;
  std::optional<CollectorReport> collector;
  std::optional<ForwarderStats> forward;  // with RunOptions::forward_to

  bool ChecksPassed() const;
  // Did the run conclude what the scenario expects (all pass, or the named kinds failing)?
  bool AsExpected(const Expectation& expect, std::string& why) const;
};

RunOutcome RunScenario(const Scenario& scenario, const RunOptions& options);

}  // namespace traceproof
