#include "mock_services/service_runtime.h"

#include <fmt/format.h>

namespace traceproof::mock {

ServiceRuntime::ServiceRuntime(const ServiceDef& def, const ServiceGraph& graph,
                               const ServiceRuntimeOptions& options)
    : def_(def),
      resource_(MakeResource(def.name, {}, options.resource_attributes)),
      faults_(graph, def.name, options.shared.clock->Now()),
      routes_(def),
      callers_(IndexCallers(graph, def)),
      context_(options.shared) {
  TracerOptions tracer;
  tracer.sampler = options.sampler;
  tracer.clock_offset_ns = faults_.ClockSkew().count();
  if (def.tracing && options.make_exporter && *options.make_exporter) {
    processor_ =
        std::make_unique<BatchSpanProcessor>((*options.make_exporter)(resource_), options.batch);
    tracer.processor = processor_.get();
  }
  tracer_ = std::make_unique<Tracer>(tracer);
  context_.service = &def_;
  context_.tracer = tracer_.get();
  context_.exporting = processor_ != nullptr;
  context_.faults = &faults_;
  context_.callers = &callers_;
}

bool ServiceRuntime::Listen(const HttpServerOptions& options, IoContextPool& pool,
                            std::string& error) {
  server_ = HttpServer::Listen(options, pool, *this, error);
  if (!server_) {
    error = fmt::format("service '{}': {}", def_.name, error);
    return false;
  }
  context_.port = server_->port();
  return true;
}

namespace {

boost::asio::awaitable<Outcome> Answer(Outcome outcome) { co_return outcome; }

}  // namespace

// Not a coroutine itself: the session awaits HandleRoute's frame directly, one frame per
// request as before the split.
boost::asio::awaitable<Outcome> ServiceRuntime::Handle(const HttpRequest& request) {
  requests_.fetch_add(1, std::memory_order_relaxed);
  RouteTable::Match m = routes_.Find(request);
  if (!m.route) return Answer(routes_.NotFound(m.key));
  return HandleRoute(*m.route, RouteRequest{request, std::move(m.key), m.path}, context_);
}

}  // namespace traceproof::mock
