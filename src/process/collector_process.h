// The OpenTelemetry Collector as the process under test of a run (the testbed's "process under
// test" with its "resource monitor"): started with the scenario's unchanged config, told its
// endpoints through environment variables
//
//   TRACEPROOF_SINK_ENDPOINT   127.0.0.1:<embedded sink's OTLP/gRPC port>   (exporter endpoint)
//   TRACEPROOF_SINK_ENDPOINT_i 127.0.0.1:<sink i's port>, with a sink tier (sink 0 is the above)
//   TRACEPROOF_OTLP_HOST       127.0.0.1                                    (receiver host)
//   TRACEPROOF_OTLP_GRPC_PORT  a free port for the otlp receiver's gRPC protocol
//   TRACEPROOF_OTLP_HTTP_PORT  a free port for its HTTP protocol
//   TRACEPROOF_METRICS_PORT    a free port for its own Prometheus metrics
//
// and, so that a user's config needs no telemetry section and two runs never share :8888, its
// internal metrics reader is set on the command line to 127.0.0.1:TRACEPROOF_METRICS_PORT.
// Ready when its OTLP/gRPC port accepts connections. A monitor thread samples its CPU and RSS
// from /proc once a second. Stop is graceful (SIGTERM, so batches and queues flush, then SIGKILL
// after a bound); Kill and Restart are the `collector: kill` fault. The child never outlives
// traceproof: the destructor kills it, the reaper (process/reaper.h) kills it when traceproof
// dies, and PDEATHSIG covers a crash as a second line. A ProcessUnderTest ("collector"); its log
// is kept in memory (Log), not on disk.
// Not thread-safe: one owning thread (the run's), besides its internal monitor thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "process/child_process.h"
#include "process/collector_metrics.h"
#include "process/process_under_test.h"

namespace traceproof {

class Reaper;

// How long a Collector gets to accept connections, and to flush on SIGTERM, unless told otherwise.
inline constexpr std::chrono::milliseconds kCollectorReadyTimeout{20000};
inline constexpr std::chrono::milliseconds kCollectorStopGrace{10000};

struct CollectorOptions {
  std::string binary;              // path to otelcol (ours by default: DefaultCollectorBinary)
  std::string config;              // path to the Collector config (YAML)
  std::string sink_grpc_endpoint;  // "127.0.0.1:PORT"
  // A sink tier's endpoints, TRACEPROOF_SINK_ENDPOINT_0 .. _N-1 (a loadbalancing exporter's
  // static resolver); empty: only TRACEPROOF_SINK_ENDPOINT.
  std::vector<std::string> sink_tier_endpoints;
  // With `sink: { tls }`: TRACEPROOF_SINK_CA_FILE (what the Collector's exporter must trust,
  // `tls: { ca_file: ${env:TRACEPROOF_SINK_CA_FILE} }`) and TRACEPROOF_SINK_SERVER_NAME (the
  // name on the sink's certificate, for `server_name_override`); empty: plain text.
  std::string sink_ca_file;
  std::string sink_server_name;
  Reaper* reaper = nullptr;  // kills it if traceproof dies; nullptr: PDEATHSIG only
};

class CollectorProcess final : public ProcessUnderTest {
 public:
  explicit CollectorProcess(CollectorOptions options);
  ~CollectorProcess() override;  // kills a running Collector
  CollectorProcess(const CollectorProcess&) = delete;
  CollectorProcess& operator=(const CollectorProcess&) = delete;

  std::string_view Name() const noexcept override { return "collector"; }
  // Starts it and waits until its OTLP/gRPC port accepts connections. An error (its log tail
  // included) when it cannot start, exits, or is not ready in time; then nothing is left running.
  Status Start(std::chrono::milliseconds ready_timeout) noexcept override;
  // Graceful: SIGTERM, then SIGKILL after `grace`. exit_status() says how it ended.
  void Stop(std::chrono::milliseconds grace) noexcept override;
  // CPU and memory over its life (every incarnation, for a restarted one).
  ProcessMetrics Metrics() const noexcept override;
  std::filesystem::path LogPath() const noexcept override { return {}; }  // in memory: Log()

  // The same ports again, after Kill (the exporters of the services reconnect by themselves),
  // within the ready timeout Start was given.
  bool Restart(std::string& error);
  // SIGKILL: in-flight spans are lost, as in a crash. The counters scraped just before are kept.
  void Kill();
  bool Running() const;
  pid_t pid() const { return child_ ? child_->pid() : -1; }  // of the last incarnation
  int exit_status() const { return last_exit_; }  // of the last incarnation; -1 while running

  int otlp_grpc_port() const { return grpc_port_; }
  int otlp_http_port() const { return http_port_; }
  int metrics_port() const { return metrics_port_; }
  std::string otlp_grpc_endpoint() const { return "127.0.0.1:" + std::to_string(grpc_port_); }

  // Scrapes /metrics now: the counters of the running incarnation plus those of the ones
  // before it (a restart resets the Collector's counters). scraped = false when it failed.
  CollectorCounters Scrape(std::string* error = nullptr);
  // Everything the Collector printed, over every incarnation.
  std::string Log() const;
  // The last `lines` lines of the log, for error messages.
  std::string LogTail(int lines = 20) const;
  int restarts() const { return restarts_; }

 private:
  bool Spawn(std::string& error);
  bool WaitReady(std::string& error);
  void Monitor();
  void StopMonitor();
  void AccumulateBeforeRestart();

  CollectorOptions options_;
  int grpc_port_ = 0, http_port_ = 0, metrics_port_ = 0;
  std::unique_ptr<ChildProcess> child_;
  std::string previous_logs_;  // of incarnations that ended
  CollectorCounters before_;   // counters of incarnations that ended, at their last scrape
  CollectorCounters last_;     // the running incarnation's last successful scrape
  int restarts_ = 0;
  int last_exit_ = -1;
  std::chrono::milliseconds ready_timeout_ = kCollectorReadyTimeout;

  std::thread monitor_;
  std::atomic<bool> monitor_stop_{false};
  mutable std::mutex mutex_;  // guards resources_ and the monitor's per-incarnation state
  ProcessMetrics resources_;
  std::chrono::steady_clock::time_point started_at_;
  double cpu_before_ = 0;  // CPU seconds of ended incarnations
  double wall_before_ = 0;
};

// Where scripts/build-collector puts our otelcol: $TRACEPROOF_OTELCOL if set, else
// ~/.cache/traceproof/otelcol/<sha256 of compose/collector/builder.yaml>/otelcol-traceproof
// (the hash is taken when the build is configured).
std::string DefaultCollectorBinary();

}  // namespace traceproof
