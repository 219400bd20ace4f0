#include "mock_services/mock_services.h"

// clang-format off: must come before any Boost.Asio header
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <fmt/format.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "mock_services/amqp_queue.h"
#include "mock_services/http_client.h"
#include "mock_services/in_process_queue.h"
#include "mock_services/latency_sampler.h"
#include "tracing/tracer.h"
#include "tracing/w3c.h"

namespace traceproof::mock {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

constexpr std::string_view kRequestIdHeader = "x-traceproof-request-id";
constexpr std::string_view kExpectedParentHeader = "x-traceproof-parent-span";
// Harness-only, per published message: lets Stop() wait for each message to be processed once,
// however often the broker delivers it (a redelivery after a broker restart processes it again).
constexpr std::string_view kMessageIdHeader = "x-traceproof-message-id";

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

bool Chance(double rate) {
  return rate >= 1.0 || std::uniform_real_distribution<double>(0, 1)(Rng()) < rate;
}

std::uint64_t NewRequestId() {
  std::uint64_t id;
  do id = Rng()();
  while (id == 0);
  return id;
}

std::string FaultName(Fault::Kind k) {
  switch (k) {
    case Fault::Kind::kLatency:
      return "latency";
    case Fault::Kind::kError:
      return "error";
    case Fault::Kind::kTimeout:
      return "timeout";
    case Fault::Kind::kReset:
      return "reset";
    case Fault::Kind::kDropTraceparent:
      return "drop_traceparent";
    case Fault::Kind::kStripQueueHeaders:
      return "strip_queue_headers";
    case Fault::Kind::kIgnoreQueueHeaders:
      return "ignore_queue_headers";
    case Fault::Kind::kDetachedSpan:
      return "detached_span";
    case Fault::Kind::kNackFirst:
      return "nack_first";
    case Fault::Kind::kHighCardinality:
      return "high_cardinality";
    case Fault::Kind::kClockSkew:
      return "clock_skew";
    case Fault::Kind::kExporterOutage:
      return "exporter_outage";
  }
  return "?";
}

beast::string_view Bsv(std::string_view s) { return beast::string_view(s.data(), s.size()); }

awaitable<void> Wait(Nanos d) {
  if (d.count() <= 0) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(d);
  beast::error_code ec;
  co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
}

class Services;

// One service: its routes, tracer, exporter pipeline and listening socket.
struct ServiceRuntime {
  const ServiceDef* def = nullptr;
  ResourceInfo resource;
  std::unique_ptr<BatchSpanProcessor> processor;  // null: not exported
  std::unique_ptr<Tracer> tracer;
  std::map<std::string, const Route*, std::less<>> routes;  // "METHOD /path"
  std::vector<const Fault*> faults;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::uint16_t port = 0;
  std::atomic<std::uint64_t> requests{0};
};

// Per-request state shared by the steps of one route (all on the request's thread).
struct RequestState {
  ServiceRuntime* svc = nullptr;
  std::uint64_t request_id = 0;
  std::optional<SpanContext> current;  // what child spans and calls parent to
  Baggage baggage;
  std::vector<const Fault*> active;  // faults that apply to this request
  bool failed = false;
  unsigned status = 200;
  std::string error_message;

  const Fault* Active(Fault::Kind kind, std::string_view to = {}) const {
    for (const Fault* f : active) {
      if (f->kind == kind && (to.empty() || f->to.empty() || f->to == to)) return f;
    }
    return nullptr;
  }
};

// A span plus its ground-truth record, ended together.
struct TrackedSpan {
  std::optional<Span> span;
  GroundTruthSpan truth;
  bool active = false;
};

class Services final : public MockServices {
 public:
  Services(const ServiceGraph& graph, MockServicesOptions options)
      : graph_(graph), options_(std::move(options)) {
    // One io_context per thread, each run by that thread alone: a request's coroutines, its
    // calls and their sockets stay on one thread, so no strands and few cross-thread wake-ups.
    // With one context shared by the threads, perf put strand and any_executor bookkeeping
    // plus futex wake-ups at ~20 % of the services' CPU; this cut a run's CPU by ~18 %.
    for (int i = 0; i < std::max(1, options_.threads); ++i)
      iocs_.push_back(std::make_unique<asio::io_context>(1));
  }
  ~Services() override { Stop(std::chrono::seconds(2)); }

  bool Start(std::string& error) {
    std::shared_ptr<const Sampler> sampler;
    std::map<std::string, std::shared_ptr<const Sampler>> overrides;
    try {
      sampler = MakeSampler(options_.sampler);
      for (const auto& [service, config] : options_.sampler_overrides)
        overrides.emplace(service, MakeSampler(config));
    } catch (const std::exception& e) {
      error = e.what();
      return false;
    }
    if (options_.amqp_url.empty()) {
      queue_ = std::make_unique<InProcessQueue>(Home().get_executor());
    } else {
      AmqpQueueOptions qo;
      qo.url = options_.amqp_url;
      // A batch can only fill up if the broker lets that many deliveries be unacked at once.
      for (const ServiceDef& def : graph_.services)
        for (const Consumer& c : def.consumers)
          qo.prefetch = std::max(qo.prefetch,
                                 static_cast<int>(std::min<std::size_t>(2 * c.batch_size, 65535)));
      queue_ = MakeAmqpQueue(qo, Home().get_executor(), error);
      if (!queue_) {
        error = "AMQP broker: " + error;
        return false;
      }
    }
    for (const Step* step : AllSteps())
      samplers_.emplace(step, std::make_unique<LatencySampler>(step->latency, graph_.scale));
    for (const Fault& f : graph_.faults)
      fault_samplers_.emplace(&f, std::make_unique<LatencySampler>(f.latency, graph_.scale));
    for (const Fault& f : graph_.faults)
      if (f.kind == Fault::Kind::kNackFirst)
        nack_counts_.emplace(&f, std::make_unique<std::atomic<std::uint64_t>>(0));

    for (const ServiceDef& def : graph_.services) {
      if (!def.external.empty()) {
        const auto colon = def.external.rfind(':');
        beast::error_code ec;
        auto address = asio::ip::make_address(def.external.substr(0, colon), ec);
        if (ec) {
          error = fmt::format("service '{}': external address '{}' is not an IP address: {}",
                              def.name, def.external, ec.message());
          return false;
        }
        externals_.emplace(def.name, tcp::endpoint(address, static_cast<std::uint16_t>(std::stoul(
                                                                def.external.substr(colon + 1)))));
        continue;
      }
      auto rt = std::make_unique<ServiceRuntime>();
      rt->def = &def;
      for (const Route& r : def.routes) rt->routes.emplace(r.method + " " + r.path, &r);
      for (const Fault& f : graph_.faults)
        if (f.service == def.name) rt->faults.push_back(&f);
      rt->resource = MakeResource(def.name, {}, options_.resource_attributes);
      TracerOptions topts;
      const auto override_it = overrides.find(def.name);
      topts.sampler = override_it != overrides.end() ? override_it->second : sampler;
      for (const Fault* f : rt->faults)
        if (f->kind == Fault::Kind::kClockSkew) topts.clock_offset_ns = f->skew.count();
      if (def.tracing && options_.make_exporter) {
        rt->processor = std::make_unique<BatchSpanProcessor>(options_.make_exporter(rt->resource),
                                                             options_.batch);
        topts.processor = rt->processor.get();
      }
      rt->tracer = std::make_unique<Tracer>(topts);

      beast::error_code ec;
      auto address = asio::ip::make_address(options_.host, ec);
      tcp::endpoint ep{address, def.port};
      rt->acceptor = std::make_unique<tcp::acceptor>(Home());
      if (!ec) rt->acceptor->open(ep.protocol(), ec);
      if (!ec) rt->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec) rt->acceptor->bind(ep, ec);
      if (!ec) rt->acceptor->listen(asio::socket_base::max_listen_connections, ec);
      if (ec) {
        error = fmt::format("service '{}': cannot listen on {}:{}: {}", def.name, options_.host,
                            def.port, ec.message());
        return false;
      }
      rt->port = rt->acceptor->local_endpoint().port();
      by_name_.emplace(def.name, rt.get());
      runtimes_.push_back(std::move(rt));
    }
    for (auto& rt : runtimes_) {
      for (const Consumer& c : rt->def->consumers) {
        ServiceRuntime* svc = rt.get();
        const Consumer* consumer = &c;
        if (c.batch_size > 0) batches_.emplace(consumer, std::make_unique<PendingBatch>());
        queue_->Subscribe(c.queue, [this, svc, consumer](QueueMessage m) {
          if (consumer->batch_size > 0) {
            AddToBatch(svc, consumer, std::move(m));
            return;
          }
          asio::co_spawn(Next(), Consume(svc, consumer, std::move(m)), asio::detached);
        });
      }
      asio::co_spawn(Home(), Listen(rt.get()), asio::detached);
    }
    started_ = std::chrono::steady_clock::now();
    ScheduleOutages();
    // Kept running until Stop(): a context starts with no work of its own (connections are
    // dealt to it), and a broker's consumer thread posts deliveries (a redelivery after a nack
    // or a broker restart) at any time, even once the acceptors have closed.
    for (auto& ioc : iocs_) {
      threads_.emplace_back([ctx = ioc.get()] {
        auto busy = asio::make_work_guard(*ctx);
        ctx->run();
      });
    }
    return true;
  }

  std::uint16_t port(std::string_view service) const override {
    if (auto ext = externals_.find(std::string(service)); ext != externals_.end())
      return ext->second.port();
    auto it = by_name_.find(std::string(service));
    return it == by_name_.end() ? 0 : it->second->port;
  }

  MockServicesStats stats() const override {
    MockServicesStats s;
    for (const auto& rt : runtimes_) {
      s.requests += rt->requests.load();
      if (rt->processor) {
        s.spans_exported += rt->processor->exported_spans();
        s.spans_dropped_queue += rt->processor->dropped_spans();
        s.spans_dropped_outage += rt->processor->dropped_spans_outage();
        s.spans_failed_export += rt->processor->failed_spans();
        // Read last: the worker moves spans from queued to an outcome, never back.
        const std::uint64_t done = rt->processor->exported_spans() +
                                   rt->processor->rejected_spans() + rt->processor->failed_spans() +
                                   rt->processor->dropped_spans_outage();
        const std::uint64_t queued = rt->processor->queued_spans();
        s.spans_pending += queued > done ? queued - done : 0;
      }
    }
    s.spans_started = spans_started_.load();
    s.messages_published = queue_ ? queue_->published() : published_at_stop_;
    s.messages_publish_failed = publish_failed_.load();
    s.messages_redelivered = redelivered_.load();
    return s;
  }

  void Stop(std::chrono::milliseconds timeout) override {
    if (stopped_.exchange(true) || iocs_.empty()) return;
    // Graceful: stop accepting, let requests and queued messages in flight finish (bounded),
    // so their spans end for real instead of being cut off.
    asio::post(Home(), [this] {
      for (auto& rt : runtimes_) {
        beast::error_code ignored;
        rt->acceptor->close(ignored);
      }
    });
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while ((in_flight_.load() > 0 || AwaitingMessages() > 0) &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    for (auto& ioc : iocs_) ioc->stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    // Consumers stop (acking what was processed) before the executor they post to goes.
    if (queue_) {
      published_at_stop_ = queue_->published();
      queue_.reset();
    }
    // Destroy the io_context (and with it any coroutine still parked, e.g. an idle keep-alive
    // session or a request past the deadline) while tracers and processors are alive, and
    // before the sockets it owns outlive it.
    pool_.Clear();
    for (auto& rt : runtimes_) rt->acceptor.reset();
    iocs_.clear();
    for (auto& rt : runtimes_) {
      if (rt->processor) {
        rt->processor->ForceFlush(std::chrono::duration_cast<std::chrono::milliseconds>(
            std::max(deadline - std::chrono::steady_clock::now(),
                     std::chrono::steady_clock::duration(std::chrono::seconds(1)))));
        rt->processor->Shutdown();
      }
    }
  }

 private:
  std::vector<const Step*> AllSteps() const {
    std::vector<const Step*> out;
    std::function<void(const std::vector<Step>&)> walk = [&](const std::vector<Step>& steps) {
      for (const Step& s : steps) {
        out.push_back(&s);
        walk(s.steps);
      }
    };
    for (const ServiceDef& d : graph_.services) {
      for (const Route& r : d.routes) walk(r.steps);
      for (const Consumer& c : d.consumers) walk(c.steps);
    }
    return out;
  }

  Nanos Latency(const Step& step) { return samplers_.at(&step)->Sample(Rng()); }

  bool InWindow(const Fault& f) const {
    auto since = std::chrono::steady_clock::now() - started_;
    if (f.from && since < *f.from) return false;
    if (f.until && since >= *f.until) return false;
    return true;
  }

  // The exporter_outage fault pauses a service's exports for its window.
  void ScheduleOutages() {
    for (auto& rt : runtimes_) {
      if (!rt->processor) continue;
      for (const Fault* f : rt->faults) {
        if (f->kind != Fault::Kind::kExporterOutage) continue;
        BatchSpanProcessor* p = rt->processor.get();
        auto begin = std::make_shared<asio::steady_timer>(Home(), f->from.value_or(Nanos{0}));
        begin->async_wait([p, begin](beast::error_code ec) {
          if (!ec) p->SetExportPaused(true);
        });
        if (f->until) {
          auto end = std::make_shared<asio::steady_timer>(Home(), *f->until);
          end->async_wait([p, end](beast::error_code ec) {
            if (!ec) p->SetExportPaused(false);
          });
        }
      }
    }
  }

  TrackedSpan StartSpan(RequestState& st, std::string_view name, SpanKind kind,
                        const std::optional<SpanContext>& parent, SpanId expected_parent) {
    TrackedSpan t;
    if (!st.svc->def->tracing) return t;
    t.active = true;
    t.span.emplace(st.svc->tracer->StartSpan(name, kind, parent));
    const SpanContext& ctx = t.span->context();
    t.truth.request_id = st.request_id;
    t.truth.trace_id = ctx.trace_id;
    t.truth.span_id = ctx.span_id;
    t.truth.parent_span_id = t.span->parent_span_id();
    t.truth.expected_parent_span_id = expected_parent;
    t.truth.service = st.svc->def->name;
    t.truth.name = std::string(name);
    t.truth.kind = kind;
    t.truth.sampled = ctx.sampled();
    t.truth.exported = ctx.sampled() && st.svc->processor != nullptr;
    t.truth.start_unix_ns = UnixNowNs();
    spans_started_.fetch_add(1, std::memory_order_relaxed);
    if (st.Active(Fault::Kind::kHighCardinality)) {  // The seed's warning: a user id (or a raw URL)
                                                     // as an attribute explodes the index.
      t.span->SetAttribute("user.id", fmt::format("user-{}", Rng()()));
      t.truth.faults.push_back("high_cardinality");
    }
    if (st.Active(Fault::Kind::kClockSkew)) t.truth.faults.push_back("clock_skew");
    return t;
  }

  void EndSpan(TrackedSpan& t, StatusCode status, std::string_view message = {}) {
    if (!t.active) return;
    if (status == StatusCode::kError) {
      t.span->AddEvent("exception", 0,
                       {{"exception.type", std::string_view("traceproof.InjectedError")},
                        {"exception.message", message}});
      t.span->SetStatus(StatusCode::kError, message);
    }
    t.span->End();
    t.truth.status = status;
    t.truth.end_unix_ns = UnixNowNs();  // real time: clock skew is the span's, not the truth's
    if (options_.ground_truth) options_.ground_truth->Record(std::move(t.truth));
    t.active = false;
  }

  awaitable<void> RunSteps(RequestState& st, const std::vector<Step>& steps) {
    for (const Step& step : steps) {
      if (st.failed) co_return;
      co_await RunStep(st, step);
    }
  }

  awaitable<void> RunStep(RequestState& st, const Step& step) {
    const SpanId expected = st.current ? st.current->span_id : SpanId{};
    switch (step.kind) {
      case Step::Kind::kSleep:
        co_await Wait(Latency(step));
        co_return;
      case Step::Kind::kWork: {
        const bool detached = st.Active(Fault::Kind::kDetachedSpan) != nullptr;
        TrackedSpan t = StartSpan(st, step.name, SpanKind::kInternal,
                                  detached ? std::nullopt : st.current, expected);
        if (detached) t.truth.faults.push_back("detached_span");
        co_await Wait(Latency(step));
        EndSpan(t, StatusCode::kUnset);
        co_return;
      }
      case Step::Kind::kDb: {
        TrackedSpan t = StartSpan(st, step.name, SpanKind::kClient, st.current, expected);
        if (t.active) {
          t.span->SetAttribute("db.system", step.db_system);
          t.span->SetAttribute("db.query.text", step.statement);
        }
        co_await Wait(Latency(step));
        EndSpan(t, StatusCode::kUnset);
        co_return;
      }
      case Step::Kind::kError:
        if (Chance(step.rate)) {
          st.failed = true;
          st.status = static_cast<unsigned>(step.http_status);
          st.error_message = step.message;
        }
        co_return;
      case Step::Kind::kCall:
        co_await Call(st, step, expected);
        co_return;
      case Step::Kind::kPublish:
        Publish(st, step, expected);
        co_return;
      case Step::Kind::kParallel:
        co_await Parallel(st, step);
        co_return;
    }
  }

  awaitable<void> Parallel(RequestState& st, const Step& step) {
    // Branches share the request's thread, so they interleave but never race.
    auto executor = co_await asio::this_coro::executor;
    auto remaining = std::make_shared<std::size_t>(step.steps.size());
    auto done =
        std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
    for (const Step& branch : step.steps) {
      asio::co_spawn(
          executor,
          [this, &st, &branch, remaining, done]() -> awaitable<void> {
            co_await RunStep(st, branch);
            if (--*remaining == 0) done->cancel();
          },
          asio::detached);
    }
    if (*remaining > 0) {
      beast::error_code ec;
      co_await done->async_wait(asio::redirect_error(use_awaitable, ec));
    }
  }

  awaitable<void> Call(RequestState& st, const Step& step, SpanId expected) {
    const tcp::endpoint ep = Target(step.service);
    TrackedSpan t;
    if (step.client_span) {
      t = StartSpan(st, step.name, SpanKind::kClient, st.current, expected);
      if (t.active) {
        t.span->SetAttribute("http.request.method", step.method);
        t.span->SetAttribute("server.address", step.service);
        t.span->SetAttribute("server.port", static_cast<std::int64_t>(ep.port()));
        t.span->SetAttribute("url.full", fmt::format("http://{}:{}{}", ep.address().to_string(),
                                                     ep.port(), step.path));
      }
    }
    std::optional<SpanContext> propagate = t.active ? std::optional(t.span->context()) : st.current;
    HttpClientPool::Request req{http::string_to_verb(step.method), step.path, 11};
    req.set(http::field::host, step.service);
    req.set(Bsv(kRequestIdHeader), std::to_string(st.request_id));
    if (propagate) req.set(Bsv(kExpectedParentHeader), propagate->span_id.Hex());
    const bool drop = st.Active(Fault::Kind::kDropTraceparent, step.service) != nullptr;
    if (drop) {
      if (t.active) t.truth.faults.push_back("drop_traceparent");
    } else if (propagate && st.svc->def->tracing) {
      w3c::Inject(*propagate, st.baggage, [&req](std::string_view name, std::string_view value) {
        req.set(Bsv(name), Bsv(value));
      });
    }
    HttpCallResult result = co_await pool_.Call(ep, std::move(req), options_.call_timeout);
    if (t.active && result.status) {
      t.span->SetAttribute("http.response.status_code", static_cast<std::int64_t>(result.status));
    }
    if (!result.ok()) {
      std::string why = result.status ? fmt::format("{} {} {} answered {}", step.method,
                                                    step.service, step.path, result.status)
                                      : fmt::format("{} {} {} failed: {}", step.method,
                                                    step.service, step.path, result.message);
      EndSpan(t, StatusCode::kError, why);
      st.failed = true;
      st.status = 502;
      st.error_message = why;
      co_return;
    }
    EndSpan(t, StatusCode::kUnset);
  }

  tcp::endpoint Target(const std::string& service) const {
    if (auto ext = externals_.find(service); ext != externals_.end()) return ext->second;
    return {asio::ip::make_address(options_.host), by_name_.at(service)->port};
  }

  void Publish(RequestState& st, const Step& step, SpanId expected) {
    TrackedSpan t = StartSpan(st, step.name, SpanKind::kProducer, st.current, expected);
    if (t.active) {
      t.span->SetAttribute("messaging.system", queue_->system());
      t.span->SetAttribute("messaging.destination.name", step.queue);
      t.span->SetAttribute("messaging.operation.type", "publish");
      t.truth.queue = step.queue;
    }
    QueueMessage msg;
    msg.body = fmt::format("{{\"request_id\":{}}}", st.request_id);
    msg.headers.emplace_back(std::string(kRequestIdHeader), std::to_string(st.request_id));
    std::optional<SpanContext> ctx = t.active ? std::optional(t.span->context()) : st.current;
    if (ctx) msg.headers.emplace_back(std::string(kExpectedParentHeader), ctx->span_id.Hex());
    if (st.Active(Fault::Kind::kStripQueueHeaders)) {
      if (t.active) t.truth.faults.push_back("strip_queue_headers");
    } else if (ctx && st.svc->def->tracing) {
      w3c::Inject(*ctx, st.baggage, [&msg](std::string_view n, std::string_view v) {
        msg.headers.emplace_back(std::string(n), std::string(v));
      });
    }
    const std::uint64_t message_id = next_message_id_.fetch_add(1) + 1;
    msg.headers.emplace_back(std::string(kMessageIdHeader), std::to_string(message_id));
    {
      std::lock_guard lock(awaiting_mu_);
      awaiting_.insert(message_id);  // until a consumer has processed it
    }
    if (!queue_->Publish(step.queue, std::move(msg))) {
      {
        std::lock_guard lock(awaiting_mu_);
        awaiting_.erase(message_id);  // the broker may still have it: a delivery is a bonus
      }
      publish_failed_.fetch_add(1);
      EndSpan(t, StatusCode::kError, "publish to " + step.queue + " failed");
      return;
    }
    EndSpan(t, StatusCode::kUnset);
  }

  std::vector<const Fault*> ActiveFaults(ServiceRuntime& svc, std::string_view route) const {
    std::vector<const Fault*> active;
    for (const Fault* f : svc.faults) {
      if (!f->route.empty() && f->route != route) continue;
      if (!InWindow(*f) || !Chance(f->rate)) continue;
      active.push_back(f);
    }
    return active;
  }

  static std::optional<std::string_view> Header(const QueueMessage& msg, std::string_view name) {
    for (const auto& [k, v] : msg.headers)
      if (k == name) return std::string_view(v);
    return std::nullopt;
  }

  // The producer span a message came from, as ground truth knows it (a harness header that
  // survives when the trace headers are stripped).
  static SpanId ProducerOf(const QueueMessage& msg) {
    const auto e = Header(msg, kExpectedParentHeader);
    return e ? SpanId::FromHex(*e).value_or(SpanId{}) : SpanId{};
  }

  // nack_first: whether `svc`'s consumer hands this delivery back instead of acking it. Only a
  // first delivery, and only through a queue that can take it back; decided per message, so a
  // batch may ack some of its messages and nack others.
  bool NackFirst(const ServiceRuntime& svc, const QueueMessage& msg) {
    if (msg.redelivered || !msg.settle) return false;
    for (const Fault* f : svc.faults) {
      if (f->kind != Fault::Kind::kNackFirst || !InWindow(*f) || !Chance(f->rate)) continue;
      if (f->nack_every == 0) return true;
      const std::uint64_t n = nack_counts_.at(f)->fetch_add(1) + 1;
      if (n % f->nack_every == 0) return true;
    }
    return false;
  }

  // Settles a processed message: acked, it no longer holds up Stop(); nacked, it comes again.
  void Settle(QueueMessage& msg, bool nack) {
    if (msg.settle) msg.settle(!nack);
    if (nack) return;
    if (auto id = Header(msg, kMessageIdHeader)) {
      std::uint64_t n = 0;
      std::from_chars(id->data(), id->data() + id->size(), n);
      std::lock_guard lock(awaiting_mu_);
      awaiting_.erase(n);
    }
  }

  awaitable<void> Consume(ServiceRuntime* svc, const Consumer* consumer, QueueMessage msg) {
    InFlight in_flight(in_flight_);
    if (msg.redelivered) redelivered_.fetch_add(1);
    auto header = [&msg](std::string_view name) { return Header(msg, name); };
    RequestState st;
    st.svc = svc;
    st.request_id = header(kRequestIdHeader) ? std::stoull(std::string(*header(kRequestIdHeader)))
                                             : NewRequestId();
    const SpanId expected = ProducerOf(msg);
    st.active = ActiveFaults(*svc, "");
    const bool ignore_headers = st.Active(Fault::Kind::kIgnoreQueueHeaders) != nullptr;
    w3c::Extracted in =
        svc->def->tracing && !ignore_headers ? w3c::Extract(header) : w3c::Extracted{};
    st.baggage = in.baggage;
    const bool detached = st.Active(Fault::Kind::kDetachedSpan) != nullptr;
    std::optional<SpanContext> parent = (consumer->link || detached) ? std::nullopt : in.parent;
    TrackedSpan t = StartSpan(st, consumer->span_name, SpanKind::kConsumer, parent, expected);
    if (t.active) {
      t.span->SetAttribute("messaging.system", queue_->system());
      t.span->SetAttribute("messaging.destination.name", consumer->queue);
      t.span->SetAttribute("messaging.operation.type", "process");
      t.truth.queue = consumer->queue;
      t.truth.redelivered = msg.redelivered;
      if (consumer->link && !detached && in.parent) {
        t.span->AddLink(*in.parent);
        t.truth.linked_span_id = in.parent->span_id;
      }
      if (detached) t.truth.faults.push_back("detached_span");
      if (ignore_headers) t.truth.faults.push_back("ignore_queue_headers");
      st.current = t.span->context();
    }
    co_await RunSteps(st, consumer->steps);
    const bool nack = NackFirst(*svc, msg);
    if (nack) {
      t.truth.nacked = true;
      t.truth.faults.push_back("nack_first");
      if (!st.failed) st.error_message = "message nacked for redelivery";
    }
    EndSpan(t, st.failed || nack ? StatusCode::kError : StatusCode::kUnset, st.error_message);
    Settle(msg, nack);
  }

  // Messages of a batch consumer gathered until the batch is full or its wait is over.
  struct PendingBatch {
    std::mutex mu;
    std::vector<QueueMessage> messages;
    std::uint64_t number = 0;  // of the batch being gathered, so a late timer flushes nothing
  };

  void AddToBatch(ServiceRuntime* svc, const Consumer* consumer, QueueMessage msg) {
    PendingBatch& b = *batches_.at(consumer);
    std::vector<QueueMessage> full;
    bool first = false;
    std::uint64_t number = 0;
    {
      std::lock_guard lock(b.mu);
      b.messages.push_back(std::move(msg));
      if (b.messages.size() >= consumer->batch_size) {
        full.swap(b.messages);
        ++b.number;
      } else if (b.messages.size() == 1) {
        first = true;
        number = b.number;
      }
    }
    if (!full.empty()) {
      asio::co_spawn(Next(), ConsumeBatch(svc, consumer, std::move(full)), asio::detached);
    } else if (first) {
      asio::co_spawn(Next(), FlushBatchAfterWait(svc, consumer, number), asio::detached);
    }
  }

  awaitable<void> FlushBatchAfterWait(ServiceRuntime* svc, const Consumer* consumer,
                                      std::uint64_t number) {
    // Not in flight while it waits: Stop() waits for the gathered messages themselves.
    co_await Wait(consumer->batch_wait);
    PendingBatch& b = *batches_.at(consumer);
    std::vector<QueueMessage> batch;
    {
      std::lock_guard lock(b.mu);
      if (b.number != number || b.messages.empty()) co_return;  // filled up meanwhile
      batch.swap(b.messages);
      ++b.number;
    }
    co_await ConsumeBatch(svc, consumer, std::move(batch));
  }

  // One CONSUMER span for the whole batch, a new trace linking every message's producer
  // context (messaging semantic conventions, batch process); its steps run once.
  awaitable<void> ConsumeBatch(ServiceRuntime* svc, const Consumer* consumer,
                               std::vector<QueueMessage> batch) {
    InFlight in_flight(in_flight_);
    RequestState st;
    st.svc = svc;
    st.request_id = NewRequestId();  // a batch is its own unit of work, not any one request's
    st.active = ActiveFaults(*svc, "");
    const bool ignore_headers = st.Active(Fault::Kind::kIgnoreQueueHeaders) != nullptr;
    const bool detached = st.Active(Fault::Kind::kDetachedSpan) != nullptr;
    TrackedSpan t = StartSpan(st, consumer->span_name, SpanKind::kConsumer, std::nullopt, SpanId{});
    for (const QueueMessage& msg : batch) {
      if (msg.redelivered) redelivered_.fetch_add(1);
      if (!t.active) continue;
      BatchMessage m;
      m.producer_span_id = ProducerOf(msg);
      m.redelivered = msg.redelivered;
      if (svc->def->tracing && !ignore_headers && !detached) {
        const w3c::Extracted in =
            w3c::Extract([&msg](std::string_view n) { return Header(msg, n); });
        if (in.parent) {
          t.span->AddLink(*in.parent);
          m.linked_span_id = in.parent->span_id;
        }
      }
      t.truth.batch.push_back(m);
    }
    if (t.active) {
      t.span->SetAttribute("messaging.system", queue_->system());
      t.span->SetAttribute("messaging.destination.name", consumer->queue);
      t.span->SetAttribute("messaging.operation.type", "process");
      t.span->SetAttribute("messaging.batch.message_count",
                           static_cast<std::int64_t>(batch.size()));
      t.truth.queue = consumer->queue;
      if (detached) t.truth.faults.push_back("detached_span");
      if (ignore_headers) t.truth.faults.push_back("ignore_queue_headers");
      st.current = t.span->context();
    }
    co_await RunSteps(st, consumer->steps);
    std::vector<bool> nack(batch.size());
    std::size_t nacked = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      nack[i] = NackFirst(*svc, batch[i]);
      nacked += nack[i] ? 1 : 0;
      if (nack[i] && t.active) t.truth.batch[i].nacked = true;
    }
    if (nacked > 0 && t.active) {
      t.truth.faults.push_back("nack_first");
      if (!st.failed)
        st.error_message =
            fmt::format("{} of {} messages nacked for redelivery", nacked, batch.size());
    }
    EndSpan(t, st.failed || nacked > 0 ? StatusCode::kError : StatusCode::kUnset, st.error_message);
    for (std::size_t i = 0; i < batch.size(); ++i) Settle(batch[i], nack[i]);
  }

  std::size_t AwaitingMessages() {
    std::lock_guard lock(awaiting_mu_);
    return awaiting_.size();
  }

  struct Outcome {
    unsigned status = 200;
    std::string body;
    bool reset = false;
  };

  // Counts a request or queued message from its start to its end, for the graceful Stop().
  struct InFlight {
    explicit InFlight(std::atomic<int>& n, bool already_counted = false) : n_(n) {
      if (!already_counted) n_.fetch_add(1);
    }
    ~InFlight() { n_.fetch_sub(1); }
    std::atomic<int>& n_;
  };

  awaitable<Outcome> Handle(ServiceRuntime* svc, const http::request<http::string_body>& req) {
    InFlight in_flight(in_flight_);
    svc->requests.fetch_add(1, std::memory_order_relaxed);
    std::string_view target(req.target().data(), req.target().size());
    std::string_view path = target.substr(0, target.find('?'));
    const std::string key = fmt::format(
        "{} {}", std::string_view(req.method_string().data(), req.method_string().size()), path);
    auto it = svc->routes.find(key);
    if (it == svc->routes.end()) {
      std::string routes;
      for (const auto& [k, _] : svc->routes) routes += "  " + k + "\n";
      co_return Outcome{404, fmt::format("service '{}' has no route '{}'; its routes:\n{}",
                                         svc->def->name, key, routes)};
    }
    const Route& route = *it->second;
    auto header = [&req](std::string_view name) -> std::optional<std::string_view> {
      auto f = req.find(beast::string_view(name.data(), name.size()));
      if (f == req.end()) return std::nullopt;
      return std::string_view(f->value().data(), f->value().size());
    };
    RequestState st;
    st.svc = svc;
    st.request_id = NewRequestId();
    if (auto id = header(kRequestIdHeader)) {
      try {
        st.request_id = std::stoull(std::string(*id));
      } catch (const std::exception&) {
      }
    }
    SpanId expected;
    if (auto e = header(kExpectedParentHeader)) expected = SpanId::FromHex(*e).value_or(SpanId{});
    st.active = ActiveFaults(*svc, key);
    if (st.Active(Fault::Kind::kReset)) {
      co_return Outcome{0, {}, true};
    }
    if (const Fault* f = st.Active(Fault::Kind::kTimeout)) {
      Nanos hold = fault_samplers_.at(f)->Sample(Rng());
      co_await Wait(hold.count() > 0 ? hold : std::chrono::seconds(30));
      co_return Outcome{0, {}, true};
    }
    w3c::Extracted in = svc->def->tracing ? w3c::Extract(header) : w3c::Extracted{};
    st.baggage = in.baggage;
    TrackedSpan server = StartSpan(st, route.span_name, SpanKind::kServer, in.parent, expected);
    if (server.active) {
      server.span->SetAttribute("http.request.method", route.method);
      server.span->SetAttribute("http.route", route.path);
      server.span->SetAttribute("url.path", path);
      server.span->SetAttribute("url.scheme", "http");
      server.span->SetAttribute("server.address", svc->def->name);
      server.span->SetAttribute("server.port", static_cast<std::int64_t>(svc->port));
      st.current = server.span->context();
      for (const Fault* f : st.active) {
        if (f->kind == Fault::Kind::kLatency || f->kind == Fault::Kind::kError)
          server.truth.faults.push_back(FaultName(f->kind));
      }
    }
    for (const Fault* f : st.active) {
      if (f->kind == Fault::Kind::kLatency) co_await Wait(fault_samplers_.at(f)->Sample(Rng()));
    }
    if (const Fault* f = st.Active(Fault::Kind::kError)) {
      st.failed = true;
      st.status = static_cast<unsigned>(f->http_status);
      st.error_message = f->message;
    }
    co_await RunSteps(st, route.steps);
    if (server.active) {
      server.span->SetAttribute("http.response.status_code", static_cast<std::int64_t>(st.status));
      if (st.failed) server.span->SetAttribute("error.type", std::to_string(st.status));
    }
    // HTTP semconv: 5xx is a server span error; 4xx is not (the client's fault).
    const bool span_error = st.failed && st.status >= 500;
    EndSpan(server, span_error ? StatusCode::kError : StatusCode::kUnset, st.error_message);
    std::string trace = st.current ? st.current->trace_id.Hex() : "";
    co_return Outcome{st.status,
                      fmt::format("{{\"service\":\"{}\",\"route\":\"{}\",\"trace_id\":\"{}\","
                                  "\"status\":{}{}}}\n",
                                  svc->def->name, key, trace, st.status,
                                  st.failed ? fmt::format(",\"error\":\"{}\"", st.error_message)
                                            : std::string())};
  }

  awaitable<void> Session(ServiceRuntime* svc, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      stream.expires_after(std::chrono::seconds(60));
      beast::error_code ec;
      co_await http::async_read(stream, buffer, req, asio::redirect_error(use_awaitable, ec));
      if (ec) break;
      stream.expires_never();
      Outcome out = co_await Handle(svc, req);
      if (out.reset) {
        // An abortive close (RST), as a crashed or killed server would leave it.
        stream.socket().set_option(asio::socket_base::linger(true, 0), ec);
        stream.socket().close(ec);
        co_return;
      }
      http::response<http::string_body> res{static_cast<http::status>(out.status), req.version()};
      res.set(http::field::content_type, "application/json");
      res.keep_alive(req.keep_alive());
      res.body() = std::move(out.body);
      res.prepare_payload();
      stream.expires_after(std::chrono::seconds(60));
      co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
      if (ec || !res.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  awaitable<void> Listen(ServiceRuntime* svc) {
    for (;;) {
      beast::error_code ec;
      // Connections are dealt round-robin to the threads' contexts; the load generator's
      // keep-alive pool spreads requests over them.
      tcp::socket socket =
          co_await svc->acceptor->async_accept(Next(), asio::redirect_error(use_awaitable, ec));
      if (ec == asio::error::operation_aborted || !svc->acceptor->is_open()) co_return;
      if (ec) continue;
      socket.set_option(tcp::no_delay(true), ec);
      auto executor = socket.get_executor();
      asio::co_spawn(executor, Session(svc, std::move(socket)), asio::detached);
    }
  }

  ServiceGraph graph_;
  MockServicesOptions options_;
  // The acceptors, queue callbacks and fault timers live on the first context.
  asio::io_context& Home() { return *iocs_.front(); }
  asio::io_context& Next() {
    return *iocs_[next_context_.fetch_add(1, std::memory_order_relaxed) % iocs_.size()];
  }

  std::vector<std::unique_ptr<asio::io_context>> iocs_;  // cleared by Stop() before runtimes go
  std::atomic<std::size_t> next_context_{0};
  std::unique_ptr<MessageQueue> queue_;  // made by Start(), reset by Stop()
  std::uint64_t published_at_stop_ = 0;
  std::atomic<std::uint64_t> publish_failed_{0};
  std::atomic<std::uint64_t> redelivered_{0};
  HttpClientPool pool_;
  std::vector<std::unique_ptr<ServiceRuntime>> runtimes_;
  std::map<std::string, ServiceRuntime*> by_name_;
  std::map<std::string, tcp::endpoint> externals_;
  std::map<const Step*, std::unique_ptr<LatencySampler>> samplers_;
  std::map<const Fault*, std::unique_ptr<LatencySampler>> fault_samplers_;
  std::map<const Fault*, std::unique_ptr<std::atomic<std::uint64_t>>> nack_counts_;
  std::map<const Consumer*, std::unique_ptr<PendingBatch>> batches_;
  std::vector<std::thread> threads_;
  std::chrono::steady_clock::time_point started_;
  std::atomic<std::uint64_t> spans_started_{0};
  std::atomic<bool> stopped_{false};
  std::atomic<int> in_flight_{0};  // requests and messages being handled
  std::atomic<std::uint64_t> next_message_id_{0};
  std::mutex awaiting_mu_;
  std::set<std::uint64_t> awaiting_;  // published messages not yet processed once
};

}  // namespace

std::unique_ptr<MockServices> StartMockServices(const ServiceGraph& graph,
                                                MockServicesOptions options, std::string& error) {
  auto services = std::make_unique<Services>(graph, std::move(options));
  if (!services->Start(error)) return nullptr;
  return services;
}

}  // namespace traceproof::mock
