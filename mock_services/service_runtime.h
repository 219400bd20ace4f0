// One mock service as the runtime serves it: its resource, tracer and export pipeline, its
// faults, its routes, the StepContext its requests and consumers see, and its HTTP server, which
// hands each request to this runtime's Handle (count it, find the route, HandleRoute).
// Made and started from the owning thread before the service threads run; Handle runs on the
// service threads; the counters are read from any thread.
#pragma once

// clang-format off: must come before any Boost.Asio header
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "graph/service_graph.h"
#include "mock_services/faults.h"
#include "mock_services/http_server.h"
#include "mock_services/io_context_pool.h"
#include "mock_services/mock_services.h"
#include "mock_services/route_handler.h"
#include "mock_services/step_context.h"
#include "tracing/batch_span_processor.h"
#include "tracing/resource.h"
#include "tracing/sampler.h"
#include "tracing/tracer.h"

namespace traceproof::mock {

struct ServiceRuntimeOptions {
  std::shared_ptr<const Sampler> sampler;
  const ExporterFactory* make_exporter = nullptr;  // null or empty: spans are not exported
  BatchSpanProcessorOptions batch;
  std::string resource_attributes;  // OTEL_RESOURCE_ATTRIBUTES
  // The seams every service shares (clock, randomness, client, queue, ledger, ground truth,
  // counters, step latencies); the service's own fields are filled in by the runtime.
  StepContext shared;
};

class ServiceRuntime final : public RequestHandler {
 public:
  ServiceRuntime(const ServiceDef& def, const ServiceGraph& graph,
                 const ServiceRuntimeOptions& options);
  ServiceRuntime(const ServiceRuntime&) = delete;
  ServiceRuntime& operator=(const ServiceRuntime&) = delete;

  boost::asio::awaitable<Outcome> Handle(const HttpRequest& request) override;

  const ServiceDef& def() const { return def_; }
  const StepContext& context() const { return context_; }
  ServiceFaults& faults() { return faults_; }
  BatchSpanProcessor* processor() { return processor_.get(); }  // null: not exported
  const BatchSpanProcessor* processor() const { return processor_.get(); }
  HttpServer* server() { return server_.get(); }
  std::uint16_t port() const { return context_.port; }
  std::uint64_t requests() const { return requests_.load(); }

  // Binds the service's port (options.port); false with `error` set when it cannot.
  bool Listen(const HttpServerOptions& options, IoContextPool& pool, std::string& error);
  void CloseServer() { server_.reset(); }  // before the pool's contexts go

 private:
  const ServiceDef& def_;
  ResourceInfo resource_;
  ServiceFaults faults_;
  std::unique_ptr<BatchSpanProcessor> processor_;
  std::unique_ptr<Tracer> tracer_;
  RouteTable routes_;
  CallerIndex callers_;
  StepContext context_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<std::uint64_t> requests_{0};
};

}  // namespace traceproof::mock
