// The open-loop HTTP load generator behind `traceproof run` and `bench loadgen`: requests start
// when the arrival schedule says, not when the previous answer came back, so a stalled system
// under test shows up as latency instead of silently lowering the offered load. Latency is
// measured twice, as wrk2 does: from the intended start (corrected for coordinated omission)
// and from the actual send (what a closed-loop tool would report). Share-nothing workers, each
// a thread with its own io_context, keep-alive connections, counters and histograms, merged at
// the end. Arrivals that find every connection busy wait in a bounded backlog; beyond it they
// are dropped and counted, never silently skipped.
// RunOpenLoop blocks; OpenLoopProgress may be read from any thread while it runs.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "load/arrival.h"
#include "load/load_stats.h"

namespace traceproof {

// What one phase sends; every request carries the load marker (kLoadMarkerHeader), so a mock
// knows the load generator called it directly. With span_load_spans > 0 every request is a fresh
// OTLP/HTTP protobuf export of that many synthetic spans (new trace ids each time), POSTed to
// `path`.
struct LoadTarget {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string method = "GET";
  std::string path = "/";
  std::string body;
  std::string content_type;
  // Sent with every request (span load to a sink with `require_headers`).
  std::vector<std::pair<std::string, std::string>> headers;
  int span_load_spans = 0;
  int spans_per_trace = 5;
  // Each request carries a fresh sampled W3C traceparent (random trace id and span id), so the
  // service it reaches is judged as a child; the trace ids are kept in LoadStats.
  bool fresh_traceparent = false;
  // The limits of the phases that send to this target (0: the run's `connections`/`timeout`).
  // A phase that allows fewer connections than the one before closes the extra ones as they
  // finish their request.
  int connections = 0;  // over all threads
  std::chrono::milliseconds timeout{0};
};

struct OpenLoopOptions {
  std::vector<ArrivalPhase> phases;  // each names its target by index
  std::vector<LoadTarget> targets;
  int threads = 1;
  // Defaults for targets without their own: at most `connections` over all threads, opened as
  // the backlog needs them; `timeout` per request.
  int connections = 64;
  std::chrono::milliseconds timeout{10000};
  std::size_t max_backlog_per_thread = 100000;
  std::uint64_t seed = 1;  // the arrival schedule (Poisson draws): one seed, one schedule
  // `traceproof run --shard I/N`: worker w sends arrival slot shard + shards * w of
  // shards * threads (load/arrival.h): the arrivals whose index mod N is I, however many
  // threads each shard has, so N processes with one seed send the schedule once.
  int shard = 0;
  int shards = 1;
  // Keep every answered request's corrected latency in LoadStats::latencies_ns (a test mode:
  // the shard merge test checks the merged histogram against them).
  bool keep_latencies = false;
  // Span load's trace and span ids. nullopt: a seed of this process's own (load/id_seed.h), so
  // two generators feeding one Collector or sink never send the same ids; a value repeats them.
  std::optional<std::uint64_t> id_seed;
  // Closed loop, as fast as answers come (wrk's model), on phases[0]'s target for the sum of
  // the phases' durations: for `bench loadgen` only; latency is then uncorrected by nature.
  bool closed_loop = false;
};

// Live figures for a progress line and the per-second series (run/series_recorder.h).
// Counters are cumulative since the start; `errors` is the sum of the four transport kinds.
struct OpenLoopProgress {
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> ok{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> errors_connect{0};
  std::atomic<std::uint64_t> errors_timeout{0};
  std::atomic<std::uint64_t> errors_reset{0};
  std::atomic<std::uint64_t> errors_other{0};
  std::atomic<std::uint64_t> not_2xx{0};  // answered, with a status outside 200..299
  std::atomic<std::uint64_t> dropped{0};
  std::atomic<std::uint64_t> p99_corrected_ns{0};  // max over workers, refreshed twice a second

  // Corrected latency of the answers since the previous call, merged over the workers (each
  // hands over what it recorded every ~100 ms): the run's histogram cannot give the
  // percentiles of one second. Thread-safe.
  Histogram TakeInterval();
  void AddInterval(const Histogram& answers);

 private:
  std::mutex interval_mu_;
  Histogram interval_;
};

// Blocks until the schedule is over and every request has been answered or timed out, or
// `stop` becomes true (then it returns once in-flight requests end, at most `timeout`; arrivals
// already due but not sent count as dropped, later ones as never scheduled). `progress` and `stop`
// may be null.
LoadStats RunOpenLoop(const OpenLoopOptions& options, OpenLoopProgress* progress = nullptr,
                      const std::atomic<bool>* stop = nullptr);

}  // namespace traceproof
