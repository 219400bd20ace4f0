// Which of a service's faults apply to a request or a message, and what they hold: windows
// (from/until, counted from when the services started), rates, the latency samplers of latency
// and timeout faults, the nack_first counters, the names ground truth records, and the
// exporter_outage schedule that pauses a service's exports for its window. Which fault does
// what to a request is the route handler's, steps' and consumers' business; this only decides
// whether it applies. Thread-safe once the windows started: samplers and counters are atomic
// and randomness is the caller's engine (one per thread).
#pragma once

// clang-format off: must come before any Boost.Asio header
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <string_view>
#include <vector>

#include "graph/service_graph.h"
#include "mock_services/clock.h"
#include "mock_services/latency_sampler.h"
#include "mock_services/message_queue.h"

namespace traceproof::mock {

std::string_view FaultName(Fault::Kind kind);  // as in YAML and ground truth, e.g. "reset"

// True for a share `rate` of calls; always for a rate of 1 or more (no draw).
inline bool Chance(std::mt19937_64& rng, double rate) {
  return rate >= 1.0 || std::uniform_real_distribution<double>(0, 1)(rng) < rate;
}

// The faults that apply to one request or message, chosen once when it arrives.
struct ActiveFaults {
  std::vector<const Fault*> faults;

  // The first of `kind`; with `to` (a call's target), one that names no target or that one.
  const Fault* Find(Fault::Kind kind, std::string_view to = {}) const {
    for (const Fault* f : faults) {
      if (f->kind == kind && (to.empty() || f->to.empty() || f->to == to)) return f;
    }
    return nullptr;
  }
  bool Has(Fault::Kind kind) const { return Find(kind) != nullptr; }
};

class ServiceFaults {
 public:
  using TimePoint = Clock::TimePoint;

  // The faults of `graph` that name `service`; `graph` outlives this. Windows count from
  // `start`.
  ServiceFaults(const ServiceGraph& graph, std::string_view service, TimePoint start);
  ServiceFaults(const ServiceFaults&) = delete;
  ServiceFaults& operator=(const ServiceFaults&) = delete;

  void RestartWindows(TimePoint start) { start_ = start; }  // before any request
  TimePoint start() const { return start_; }
  const std::vector<const Fault*>& all() const { return faults_; }

  // Those in their window that apply to `route` ("METHOD /path"; "" for a consumer), each drawn
  // at its rate.
  ActiveFaults Select(std::string_view route, TimePoint now, std::mt19937_64& rng) const;
  // A latency fault's delay, or how long a timeout fault holds the request.
  Nanos SampleLatency(const Fault& fault, std::mt19937_64& rng) const;
  // nack_first: whether a consumer hands this delivery back instead of acking it. Only a first
  // delivery, and only through a queue that can take it back; decided per message, so a batch
  // may ack some of its messages and nack others.
  bool NackFirst(const QueueMessage& message, TimePoint now, std::mt19937_64& rng) const;
  // The clock_skew fault's offset for every timestamp of the service; zero without one.
  Nanos ClockSkew() const;

 private:
  bool InWindow(const Fault& fault, TimePoint now) const;
  std::size_t IndexOf(const Fault& fault) const;

  std::vector<const Fault*> faults_;
  std::vector<std::unique_ptr<LatencySampler>> latencies_;  // one per fault, same order
  // Counts the first deliveries each nack_first fault saw, for `nack_every`.
  std::unique_ptr<std::atomic<std::uint64_t>[]> nack_counts_;
  TimePoint start_;
};

// Pauses a service's exports for each of its exporter_outage faults' windows: from `from` (at
// once without one) until `until` (for good without one), counted from the faults' start, timed
// by `clock` on `executor`, which calls `set_paused` (e.g. BatchSpanProcessor::SetExportPaused).
// `faults` and `clock` outlive the executor's context.
void ScheduleExporterOutages(const ServiceFaults& faults, Clock& clock,
                             boost::asio::any_io_executor executor,
                             std::function<void(bool paused)> set_paused);

}  // namespace traceproof::mock
