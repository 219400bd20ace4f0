// The composition: the seams every service shares, one ServiceRuntime per served service, a
// ConsumerRuntime per queue consumer, the exporter_outage schedules, the service threads; and
// the graceful stop and the stats. What a request or a message does is in route_handler.h,
// steps.h, consumers.h and faults.h.
#include "mock_services/mock_services.h"

// clang-format off: must come before any Boost.Asio header
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <map>
#include <thread>

#include "mock_services/amqp_queue.h"
#include "mock_services/clock.h"
#include "mock_services/consumers.h"
#include "mock_services/http_client.h"
#include "mock_services/in_process_queue.h"
#include "mock_services/io_context_pool.h"
#include "mock_services/latency_sampler.h"
#include "mock_services/message_ledger.h"
#include "mock_services/service_runtime.h"
#include "mock_services/step_context.h"

namespace traceproof::mock {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class Services final : public MockServices {
 public:
  Services(const ServiceGraph& graph, MockServicesOptions options)
      : graph_(graph),
        options_(std::move(options)),
        pool_(options_.threads),
        client_(http_pool_, options_.call_timeout),
        latencies_(graph_) {}
  ~Services() override { Stop(std::chrono::seconds(2)); }

  bool Start(std::string& error) {
    ServiceRuntimeOptions service_options;
    if (!Samplers(service_options, error) || !MakeQueue(error)) return false;
    service_options.make_exporter = &options_.make_exporter;
    service_options.batch = options_.batch;
    service_options.resource_attributes = options_.resource_attributes;
    service_options.shared = SharedContext();
    for (const ServiceDef& def : graph_.services) {
      const bool added =
          def.external.empty() ? AddService(def, service_options, error) : AddExternal(def, error);
      if (!added) return false;
    }
    for (auto& rt : runtimes_) {
      for (const Consumer& c : rt->def().consumers) Subscribe(c, *rt);
      rt->server()->Start();
    }
    const Clock::TimePoint started = clock_.Now();
    for (auto& rt : runtimes_) {
      rt->faults().RestartWindows(started);
      if (BatchSpanProcessor* p = rt->processor()) {
        ScheduleExporterOutages(rt->faults(), clock_, pool_.Home().get_executor(),
                                [p](bool paused) { p->SetExportPaused(paused); });
      }
    }
    pool_.Run();
    return true;
  }

  std::uint16_t port(std::string_view service) const override {
    if (auto ext = externals_.find(service); ext != externals_.end()) return ext->second;
    auto it = by_name_.find(service);
    return it == by_name_.end() ? 0 : it->second->port();
  }

  MockServicesStats stats() const override {
    MockServicesStats s;
    for (const auto& rt : runtimes_) {
      s.requests += rt->requests();
      if (const BatchSpanProcessor* p = rt->processor()) AddExporterStats(*p, s);
    }
    s.spans_started = counters_.spans_started.load();
    s.messages_published = queue_ ? queue_->published() : published_at_stop_;
    s.messages_publish_failed = counters_.publish_failed.load();
    s.messages_redelivered = counters_.redelivered.load();
    return s;
  }

  void Stop(std::chrono::milliseconds timeout) override {
    if (stopped_.exchange(true) || pool_.destroyed()) return;
    // Graceful: stop accepting, let requests and queued messages in flight finish (bounded),
    // so their spans end for real instead of being cut off.
    for (auto& rt : runtimes_)
      if (rt->server()) rt->server()->Close();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    // Messages only a mock consumer would process: with none (the consumer is the user's app
    // or another process), nothing here will ever mark them processed.
    const bool consumes = std::any_of(runtimes_.begin(), runtimes_.end(),
                                      [](const auto& rt) { return !rt->def().consumers.empty(); });
    while ((counters_.in_flight.load() > 0 || (consumes && ledger_.awaiting() > 0)) &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    pool_.Stop();
    // Consumers stop (acking what was processed) before the executor they post to goes.
    if (queue_) {
      published_at_stop_ = queue_->published();
      queue_.reset();
    }
    // Destroy the io_contexts (and with them any coroutine still parked, e.g. an idle
    // keep-alive session or a request past the deadline) while tracers and processors are
    // alive, and before the sockets they own outlive them.
    http_pool_.Clear();
    for (auto& rt : runtimes_) rt->CloseServer();
    pool_.Destroy();
    for (auto& rt : runtimes_) {
      if (BatchSpanProcessor* p = rt->processor()) {
        p->ForceFlush(std::chrono::duration_cast<std::chrono::milliseconds>(
            std::max(deadline - std::chrono::steady_clock::now(),
                     std::chrono::steady_clock::duration(std::chrono::seconds(1)))));
        p->Shutdown();
      }
    }
  }

 private:
  // The head sampler of every service, and those that replace it for some.
  bool Samplers(ServiceRuntimeOptions& service_options, std::string& error) {
    try {
      service_options.sampler = MakeSampler(options_.sampler);
      for (const auto& [service, config] : options_.sampler_overrides)
        overrides_.emplace(service, MakeSampler(config));
    } catch (const std::exception& e) {
      error = e.what();
      return false;
    }
    return true;
  }

  bool MakeQueue(std::string& error) {
    if (options_.amqp_url.empty()) {
      queue_ = std::make_unique<InProcessQueue>(pool_.Home().get_executor());
      return true;
    }
    AmqpQueueOptions qo;
    qo.url = options_.amqp_url;
    // A batch can only fill up if the broker lets that many deliveries be unacked at once.
    for (const ServiceDef& def : graph_.services)
      for (const Consumer& c : def.consumers)
        qo.prefetch =
            std::max(qo.prefetch, static_cast<int>(std::min<std::size_t>(2 * c.batch_size, 65535)));
    queue_ = MakeAmqpQueue(qo, pool_.Home().get_executor(), error);
    if (!queue_) {
      error = "AMQP broker: " + error;
      return false;
    }
    return true;
  }

  StepContext SharedContext() {
    StepContext shared;
    shared.latencies = &latencies_;
    shared.clock = &clock_;
    shared.random = &random_;
    shared.client = &client_;
    shared.queue = queue_.get();
    shared.ledger = &ledger_;
    shared.truth = options_.ground_truth;
    shared.counters = &counters_;
    return shared;
  }

  // A service traceproof does not run: calls go to its address.
  bool AddExternal(const ServiceDef& def, std::string& error) {
    const auto colon = def.external.rfind(':');
    boost::system::error_code ec;
    auto address = asio::ip::make_address(def.external.substr(0, colon), ec);
    if (ec) {
      error = fmt::format("service '{}': external address '{}' is not an IP address: {}", def.name,
                          def.external, ec.message());
      return false;
    }
    const auto port = static_cast<std::uint16_t>(std::stoul(def.external.substr(colon + 1)));
    externals_.emplace(def.name, port);
    client_.AddTarget(def.name, tcp::endpoint(address, port));
    return true;
  }

  bool AddService(const ServiceDef& def, ServiceRuntimeOptions service_options,
                  std::string& error) {
    if (auto it = overrides_.find(def.name); it != overrides_.end())
      service_options.sampler = it->second;
    auto rt = std::make_unique<ServiceRuntime>(def, graph_, service_options);
    HttpServerOptions server;
    server.host = options_.host;
    server.port = def.port;
    if (!rt->Listen(server, pool_, error)) return false;
    client_.AddTarget(def.name, tcp::endpoint(asio::ip::make_address(options_.host), rt->port()));
    by_name_.emplace(def.name, rt.get());
    runtimes_.push_back(std::move(rt));
    return true;
  }

  void Subscribe(const Consumer& consumer, const ServiceRuntime& rt) {
    consumers_.push_back(std::make_unique<ConsumerRuntime>(consumer, rt.context(), pool_));
    ConsumerRuntime* c = consumers_.back().get();
    queue_->Subscribe(consumer.queue, [c](QueueMessage m) { c->Deliver(std::move(m)); });
  }

  static void AddExporterStats(const BatchSpanProcessor& p, MockServicesStats& s) {
    s.spans_exported += p.exported_spans();
    s.spans_dropped_queue += p.dropped_spans();
    s.spans_dropped_outage += p.dropped_spans_outage();
    s.spans_failed_export += p.failed_spans();
    // Read last: the worker moves spans from queued to an outcome, never back.
    const std::uint64_t done =
        p.exported_spans() + p.rejected_spans() + p.failed_spans() + p.dropped_spans_outage();
    const std::uint64_t queued = p.queued_spans();
    s.spans_pending += queued > done ? queued - done : 0;
  }

  const ServiceGraph graph_;  // what every runtime, fault and step points into
  const MockServicesOptions options_;
  IoContextPool pool_;  // destroyed by Stop() before the runtimes go
  SteadyClock clock_;
  ThreadRandom random_;
  RuntimeCounters counters_;
  MessageLedger ledger_;
  HttpClientPool http_pool_;
  PooledCallClient client_;
  const StepLatencies latencies_;
  std::map<std::string, std::shared_ptr<const Sampler>> overrides_;
  std::unique_ptr<MessageQueue> queue_;  // made by Start(), reset by Stop()
  std::uint64_t published_at_stop_ = 0;
  std::vector<std::unique_ptr<ServiceRuntime>> runtimes_;
  std::map<std::string, ServiceRuntime*, std::less<>> by_name_;
  std::map<std::string, std::uint16_t, std::less<>> externals_;
  std::vector<std::unique_ptr<ConsumerRuntime>> consumers_;
  std::atomic<bool> stopped_{false};
};

}  // namespace

std::unique_ptr<MockServices> StartMockServices(const ServiceGraph& graph,
                                                MockServicesOptions options, std::string& error) {
  auto services = std::make_unique<Services>(graph, std::move(options));
  if (!services->Start(error)) return nullptr;
  return services;
}

}  // namespace traceproof::mock
