// One run of a scenario, the Collector testbed's lifecycle made explicit: start the embedded
// sink (or a tier of them, run/sink_tier.h) → start the processes under test in dependency
// order (broker, Collector) → start the services (mock services in process, or ones that run
// elsewhere) → warm-up → load phases (with the fault schedule and a progress line) → drain
// (services flush, then the sink and the Collector settle, bounded) → checks. The run composes
// those parts (run/lifecycle.h and the files beside it); the lifecycle stops everything in
// reverse order on every path, including a failed start and a stop request (Ctrl-C): what was
// measured so far is still returned and checked. Checks stream: each trace feeds every check's
// tally as the sink completes it, and leaves memory (run/trace_stream.h). No files are written
// here; the caller turns the outcome (and the traces, through on_trace) into reports.
// RunScenario blocks; call it from one thread.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "run/progress.h"
#include "run/run_outcome.h"
#include "scenario/scenario.h"

namespace traceproof {

class Reaper;

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
  // `run --require-header`: required by the sink besides the scenario's `sink: {
  // require_headers }`; the run's own senders send both.
  RequiredHeaders sink_required_headers;
  // `run --forward-to URL`: every export request the sink accepted is passed on over OTLP/gRPC
  // (receiver/otlp_forwarder.h), with TLS and headers as given; nullopt: none.
  std::optional<ForwarderOptions> forward;
  // `run --tls-cert --tls-key`: the sink's TLS, over the scenario's `sink: { tls }`.
  std::optional<SinkTlsSpec> sink_tls;
  // Every process the run starts (Collector, broker) is registered with it, so none outlives
  // traceproof (process/reaper.h); nullptr: none.
  Reaper* reaper = nullptr;
  // Where the user's apps write their output (<dir>/<name>.log); empty: a temporary directory.
  std::filesystem::path apps_log_dir;
  // Each trace record the sink completes, in order, from the run's sweeper thread (the harness
  // writes traces.jsonl as the run goes); the run keeps no trace after this. May be empty.
  std::function<void(const Trace&)> on_trace;
  // `run --shard I/N`: this process sends its share of the schedule (load/arrival.h); the
  // warm-up is split the same way. Every shard must use the same arrival seed (`--seed`).
  int shard = 0;
  int shards = 1;
  std::uint64_t arrival_seed = 1;
  // `run --start-at`: the load phases begin at this wall-clock time (after the warm-up), so
  // shards started apart line up; nullopt: right after the warm-up.
  std::optional<std::chrono::system_clock::time_point> load_start_at;
  bool keep_latencies = false;  // LoadStats::latencies_ns (test mode)
  // Each ground-truth span and inbound witness record the services recorded, in recording
  // order, as the run hands them to its checks (the harness writes ground_truth.jsonl as the
  // run goes): from the sweeper thread, or at the end for services elsewhere. May be empty.
  std::function<void(const GroundTruthSpan&)> on_truth;
  std::function<void(const InboundRecord&)> on_inbound;
};

RunOutcome RunScenario(const Scenario& scenario, const RunOptions& options);

}  // namespace traceproof
