// A process a run depends on and starts (or connects to) before the load: our OpenTelemetry
// Collector, one that runs elsewhere, the run's RabbitMQ broker, later the user's own app. One
// interface whatever it is (the Collector testbed's OtelcolRunner, made general), so the run's
// lifecycle (run/lifecycle.h) can start them in dependency order, wait until each is ready, and
// stop them in reverse on every path, and a fake stands in for them in tests. A process that
// traceproof starts never outlives it: see process/reaper.h.
// Owned by the run's lifecycle; not thread-safe unless an implementation says otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

namespace traceproof {

// Whether a start worked and, when it did not, why (with what the process printed).
struct Status {
  bool failed = false;
  std::string error;  // with failed: why (may be empty when the failing part could not say)
  bool ok() const { return !failed; }
  static Status Ok() { return {}; }
  static Status Error(std::string why) { return {true, std::move(why)}; }
};

// What a process under test cost over its life (every incarnation, for a restarted one), from
// /proc; all zero for one traceproof did not start.
struct ProcessMetrics {
  double cpu_seconds = 0;
  double wall_seconds = 0;      // time it was running
  double mean_cpu_percent = 0;  // cpu_seconds / wall_seconds, 100 = one core
  double peak_cpu_percent = 0;  // highest one-second sample
  std::uint64_t peak_rss_bytes = 0;
  int samples = 0;
};

class ProcessUnderTest {
 public:
  virtual ~ProcessUnderTest() = default;               // implementations stop what they started
  virtual std::string_view Name() const noexcept = 0;  // "collector", "rabbitmq", an app's name
  // Started and ready within `ready_timeout`, or why not (nothing is left running then).
  virtual Status Start(std::chrono::milliseconds ready_timeout) noexcept = 0;
  // Graceful: SIGTERM (its batches and queues flush), SIGKILL after `grace`. Idempotent.
  virtual void Stop(std::chrono::milliseconds grace) noexcept = 0;
  virtual ProcessMetrics Metrics() const noexcept = 0;
  // Where its output is kept (empty when it has none, e.g. one that runs elsewhere).
  virtual std::filesystem::path LogPath() const noexcept = 0;
};

}  // namespace traceproof
