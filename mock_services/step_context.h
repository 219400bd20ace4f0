// What a route's or consumer's steps reach beyond the request itself, each through a small
// seam the runtime fills with the real thing and a test with a fake: the clock and its timers,
// randomness, the HTTP client for call steps, the queue and the ledger of published messages,
// the service's tracer, the ground-truth sink, the service's faults and the runtime's counters.
// And RequestState, what the steps of one request share while they run.
// A StepContext is made once per service and read by all its requests; what it points to is
// thread-safe, or per thread where the interface says so. A RequestState belongs to the thread
// of its request.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "graph/service_graph.h"
#include "mock_services/clock.h"
#include "mock_services/faults.h"
#include "mock_services/http_client.h"
#include "mock_services/inbound_witness.h"
#include "mock_services/latency_sampler.h"
#include "mock_services/message_ledger.h"
#include "mock_services/message_queue.h"
#include "tracing/baggage.h"
#include "tracing/span_context.h"
#include "tracing/tracer.h"
#include "truth/ground_truth.h"

namespace traceproof::mock {

class Random {
 public:
  virtual ~Random() = default;
  // The calling thread's engine: each thread has its own, as a shared one would need a lock.
  virtual std::mt19937_64& Engine() = 0;
};

// A per-thread engine seeded by the OS. Stateless itself; thread-safe.
class ThreadRandom final : public Random {
 public:
  std::mt19937_64& Engine() override;
};

// Counted by every service thread, read by MockServices::stats() and Stop().
struct RuntimeCounters {
  std::atomic<std::uint64_t> spans_started{0};  // ground truth records, sampled or not
  std::atomic<std::uint64_t> publish_failed{0};
  std::atomic<std::uint64_t> redelivered{0};
  std::atomic<int> in_flight{0};  // requests and messages being handled
};

// Counts a request or message from its start to its end, for a graceful stop.
class InFlight {
 public:
  explicit InFlight(RuntimeCounters& counters) : n_(counters.in_flight) { n_.fetch_add(1); }
  ~InFlight() { n_.fetch_sub(1); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::atomic<int>& n_;
};

struct StepContext {
  const ServiceDef* service = nullptr;  // its name, and whether it is instrumented
  std::uint16_t port = 0;               // where it listens (the server span's server.port)
  const Tracer* tracer = nullptr;
  bool exporting = false;  // sampled spans reach an exporter (ground truth's `exported`)
  const ServiceFaults* faults = nullptr;
  const StepLatencies* latencies = nullptr;
  Clock* clock = nullptr;
  Random* random = nullptr;
  CallClient* client = nullptr;
  MessageQueue* queue = nullptr;
  MessageLedger* ledger = nullptr;
  GroundTruthSink* truth = nullptr;      // may be null: nothing recorded
  const CallerIndex* callers = nullptr;  // who may call its routes and queues (the witness)
  RuntimeCounters* counters = nullptr;

  std::mt19937_64& rng() const { return random->Engine(); }
};

// Per-request state shared by the steps of one route or consumer, on the request's thread.
struct RequestState {
  std::uint64_t request_id = 0;
  std::optional<SpanContext> current;  // what child spans and calls parent to
  Baggage baggage;
  ActiveFaults faults;  // those that apply to this request
  bool failed = false;  // a step failed: the rest do not run
  unsigned status = 200;
  std::string error_message;

  void Fail(unsigned http_status, std::string message) {
    failed = true;
    status = http_status;
    error_message = std::move(message);
  }
};

// A new random request id, never 0 (0 means "none" in ground truth).
std::uint64_t NewRequestId(std::mt19937_64& rng);

}  // namespace traceproof::mock
