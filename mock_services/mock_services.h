// Runs a ServiceGraph: one Boost.Beast HTTP server per service on loopback, all on one pool of
// threads, each request handled as a C++20 coroutine that walks the route's steps (work, calls
// with W3C propagation, database, queue publish, errors) under the configured faults, emitting
// real OTLP spans through each service's own tracer, batch processor and exporter, and recording
// every span — sampled or not — as ground truth. Start() binds every port before returning.
// Start/Stop from one owning thread; the service threads do the rest. The parts: the threads
// (io_context_pool.h), the HTTP server (http_server.h), a request (route_handler.h) and its
// steps (steps.h) under the faults (faults.h), queue consumers (consumers.h), one service's
// tracer and server (service_runtime.h), what they are given (step_context.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "graph/service_graph.h"
#include "mock_services/message_queue.h"
#include "tracing/batch_span_processor.h"
#include "tracing/resource.h"
#include "tracing/sampler.h"
#include "tracing/span_exporter.h"
#include "truth/ground_truth.h"

namespace traceproof::mock {

using ExporterFactory = std::function<std::unique_ptr<SpanExporter>(const ResourceInfo&)>;

struct MockServicesOptions {
  std::string host = "127.0.0.1";
  int threads = 2;
  SamplerConfig sampler;  // head sampling in every service
  // Per-service samplers replacing `sampler`, e.g. one service not parent-based: the sampler
  // bug a scenario injects to show partly sampled traces.
  std::map<std::string, SamplerConfig> sampler_overrides;
  ExporterFactory make_exporter;            // one exporter per service; null: spans are dropped
  BatchSpanProcessorOptions batch;          // per service
  GroundTruthSink* ground_truth = nullptr;  // not owned; may be null
  std::chrono::milliseconds call_timeout{10000};
  std::string resource_attributes;  // OTEL_RESOURCE_ATTRIBUTES for every service
  // Queues (publish steps, consumers) over this AMQP broker (amqp_queue.h); empty: in process.
  std::string amqp_url;
};

struct MockServicesStats {
  std::uint64_t requests = 0;              // served, all services
  std::uint64_t spans_started = 0;         // ground truth count, sampled or not
  std::uint64_t spans_exported = 0;        // handed to exporters and sent
  std::uint64_t spans_dropped_queue = 0;   // batch processor queue full
  std::uint64_t spans_dropped_outage = 0;  // exporter_outage fault
  std::uint64_t spans_failed_export = 0;   // exporter gave up
  std::uint64_t spans_pending = 0;         // in batch processors' queues or exports under way
  std::uint64_t messages_published = 0;
  std::uint64_t messages_publish_failed = 0;  // the broker did not take them
  std::uint64_t messages_redelivered = 0;     // consumed again after a nack or lost consumer
};

class MockServices {
 public:
  virtual ~MockServices() = default;
  virtual std::uint16_t port(std::string_view service) const = 0;  // 0 if unknown
  virtual MockServicesStats stats() const = 0;
  // Flushes every service's spans (bounded by `timeout`), then stops serving. Idempotent.
  virtual void Stop(std::chrono::milliseconds timeout = std::chrono::seconds(10)) = 0;
};

// nullptr with `error` set when a port cannot be bound or the sampler config is invalid.
std::unique_ptr<MockServices> StartMockServices(const ServiceGraph& graph,
                                                MockServicesOptions options, std::string& error);

}  // namespace traceproof::mock
