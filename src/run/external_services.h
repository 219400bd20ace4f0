// The services of a scenario with `services: { ..., external: ... }`, as a run sees them: they
// run elsewhere (`traceproof serve --admin-port`, e.g. another container), so the run asks
// their admin endpoint (mock_services/admin_server.h) for a baseline when it starts, for the
// exporters' progress while it drains, and for the ground truth and counters of its own window
// when it ends. The window starts at the serve process's own clock (read from GET /stats), so
// the two hosts' clocks need not agree. Not thread-safe: the run's thread only.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mock_services/admin_server.h"
#include "scenario/scenario.h"
#include "truth/ground_truth.h"

namespace traceproof {

class ExternalServices {
 public:
  explicit ExternalServices(const ExternalServicesSpec& spec) : spec_(spec) {}

  // Waits until the admin endpoint answers (bounded by spec.ready_timeout), takes the baseline
  // and resolves every endpoint to an address. False with `error` naming what failed.
  bool Connect(std::string& error);

  // The IP address and port the load generator uses for `service` ("" when unknown).
  std::string address(const std::string& service) const;
  std::uint16_t port(const std::string& service) const;

  // Counters now, less the baseline (pending spans as they are now).
  std::optional<mock::MockServicesStats> StatsSinceStart(std::string& error) const;
  // Every span the services recorded since the baseline.
  std::optional<std::vector<GroundTruthSpan>> TruthSinceStart(std::string& error) const;
  // What reached each mock since the baseline (GET /inbound).
  std::optional<std::vector<InboundRecord>> InboundSinceStart(std::string& error) const;

  const mock::AdminStats& baseline() const { return baseline_; }

 private:
  std::optional<mock::AdminStats> FetchStats(
      std::string& error,
      std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) const;

  const ExternalServicesSpec& spec_;
  mock::AdminStats baseline_;
  std::map<std::string, std::string> addresses_;  // service -> resolved IP
};

// `now - before`, counter by counter; pending spans are taken from `now`.
mock::MockServicesStats SubtractStats(const mock::MockServicesStats& now,
                                      const mock::MockServicesStats& before);

// The first address `host` resolves to, as text ("172.18.0.3"), or nullopt with `error`.
std::optional<std::string> ResolveHost(const std::string& host, std::string& error);

}  // namespace traceproof
