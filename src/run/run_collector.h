// The OpenTelemetry Collector of a scenario with `collector:`, as one run uses it: ours (a
// CollectorProcess started with the user's config, exporting to the embedded sink, with the
// scenario's `collector: kill` faults) or one that runs elsewhere (ExternalCollector, counters
// since the run started). It says where the services export, offers the drain a way to tell
// that it holds nothing more, and at the end takes the last scrape, stops ours gracefully (its
// batches flush on SIGTERM, and what they deliver is counted) and fills the CollectorReport.
// Not thread-safe: the run's thread (fault actions run from the run thread too).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "process/collector_process.h"
#include "process/external_collector.h"
#include "receiver/ingest.h"
#include "run/drain.h"
#include "run/fault_schedule.h"
#include "run/run_outcome.h"
#include "scenario/scenario.h"

namespace traceproof {

class Reaper;

struct RunCollectorOptions {
  std::uint16_t sink_grpc_port = 0;
  // With a sink tier: every sink's OTLP/gRPC endpoint, in index order (CollectorOptions).
  std::vector<std::string> sink_tier_endpoints;
  std::string sink_ca_file, sink_server_name;  // with `sink: { tls }` (CollectorOptions)
  Reaper* reaper = nullptr;
  std::function<void(const std::string&)> log;
};

class RunCollector {
 public:
  // `sink_spans_received`: what reached the run's sink (every sink of a tier), from any moment.
  RunCollector(const CollectorSpec& spec, std::function<std::uint64_t()> sink_spans_received,
               RunCollectorOptions options);

  // Started (or reached) and ready, or why not; report() says what was tried either way.
  Status Start();
  std::string ExporterEndpoint() const;  // where the services export: its OTLP/gRPC receiver
  // Where span load enters (it speaks OTLP/HTTP): ours, its HTTP receiver; 0 for an external
  // one, whose HTTP receiver the scenario does not name.
  std::uint16_t SpanLoadPort() const;
  // The scenario's `collector: kill` faults as actions for the run's fault schedule.
  std::vector<TimedFault> Faults();
  // For the drain: moves while the sink or the Collector moves; holds spans until its queues,
  // batches and tail sampler are empty (unknown when its metrics do not answer).
  DrainProbes Probes();
  // The last scrape, then (ours) a graceful stop and the spans its shutdown flushed. Idempotent.
  void Stop();
  const CollectorReport& report() const { return report_; }
  // After Stop: the lines of its log where an exporter says "Exporting failed" for `endpoint`
  // (the loadbalancing exporter names the backend: "endpoint": "127.0.0.1:PORT"). Its metrics
  // count what it hands each backend's exporter as sent, so only its log says which one failed.
  std::uint64_t FailedExportsTo(const std::string& endpoint) const;
  // Ours while it runs (for the run's per-second series); -1 otherwise or for an external one.
  pid_t pid() const { return ours_ && ours_->Running() ? ours_->pid() : -1; }

 private:
  Status StartOurs();
  Status StartExternal();
  CollectorCounters Scrape();  // for this run: ours since it started, external since the run did
  void StopOurs();

  const CollectorSpec& spec_;
  std::function<std::uint64_t()> sink_spans_received_;
  RunCollectorOptions options_;
  std::unique_ptr<CollectorProcess> ours_;
  std::unique_ptr<ExternalCollector> external_;
  CollectorReport report_;
  bool stopped_ = false;
};

}  // namespace traceproof
