// The services a run puts load on, whoever runs them: the scenario's mock services started in
// this process (exporting to the sink or the Collector, recording ground truth in memory), or
// the same graph served elsewhere (`services: { external: ... }`, read through its admin
// endpoint). One interface for the runner: where each service listens, how to make sure every
// span they started has been sent (the first step of the drain), and what they did and emitted.
// Not thread-safe: the run's thread only (the services' own threads are theirs).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mock_services/mock_services.h"
#include "scenario/scenario.h"
#include "tracing/client_tls.h"
#include "truth/ground_truth.h"

namespace traceproof {

class ServicesUnderTest {
 public:
  virtual ~ServicesUnderTest() = default;
  // Where the load generator reaches `service`: host (an address) and port.
  virtual std::pair<std::string, std::uint16_t> Endpoint(const std::string& service) const = 0;
  // Until every span they started has been sent or given up on, at most `max`: in process,
  // stop serving and flush every exporter; elsewhere, wait until their exporters hold nothing.
  virtual void Flush(std::chrono::nanoseconds max, const std::atomic<bool>* stop) = 0;
  virtual void Stop() = 0;  // idempotent
  // What they did during the run (after Flush): counters, and every span they started.
  virtual std::optional<mock::MockServicesStats> Stats(std::string& error) const = 0;
  // Hands the truth over (called once, after Flush): moved, not copied, since a long run's
  // truth is the largest thing in memory when the checks are judged.
  virtual std::optional<std::vector<GroundTruthSpan>> TakeTruth(std::string& error) = 0;
  // The ground truth as it is recorded, for the checks during load; null when it is not here.
  virtual const GroundTruthRecorder* LiveTruth() const = 0;
  // The same, for the run to hand what was recorded to its checks and let go of it as the run
  // goes (CopyFrom, Forget, TakeInbound); null when it is not here.
  virtual GroundTruthRecorder* Recorder() { return nullptr; }
  // What reached each mock (the witness records), handed over once after Flush; empty where
  // not known.
  virtual std::vector<InboundRecord> TakeInbound() { return {}; }
};

using RunLog = std::function<void(const std::string&)>;

struct InProcessServicesOptions {
  int threads = 2;
  HeadSamplingSpec sampling;
  std::string exporter_endpoint;  // OTLP/gRPC: the sink, or the Collector in front of it
  // Sent with every export: the headers the sink requires (none to a Collector).
  std::vector<std::pair<std::string, std::string>> exporter_headers;
  std::optional<ClientTls> exporter_tls;  // `sink: { tls }`, straight to the sink; else plain
  std::string amqp_url;                   // the broker's; empty: the in-process queue
};

// Started and listening, or nullptr with `error` ("mock services did not start: ...").
std::unique_ptr<ServicesUnderTest> StartInProcessServices(const ServiceGraph& graph,
                                                          const InProcessServicesOptions& options,
                                                          RunLog log, std::string& error);

// The admin endpoint answered and gave the window's baseline, or nullptr with `error`.
std::unique_ptr<ServicesUnderTest> ConnectExternalServices(const ExternalServicesSpec& spec,
                                                           RunLog log, std::string& error);

}  // namespace traceproof
