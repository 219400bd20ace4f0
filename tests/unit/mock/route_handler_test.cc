// The route handler, the step interpreter, the faults and the consumers, called directly: no
// socket, a fake HTTP client and queue, a clock the test advances, the in-memory exporter
// behind each service's real tracer and batch processor (ServiceRuntime, never listening).
#include "mock_services/route_handler.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <set>

#include "graph/load_graph.h"
#include "mock/step_fakes.h"
#include "mock_services/consumers.h"
#include "mock_services/faults.h"
#include "mock_services/harness_headers.h"
#include "mock_services/service_runtime.h"
#include "opentelemetry/proto/trace/v1/trace.pb.h"
#include "tracing/in_memory_exporter.h"
#include "tracing/w3c.h"

namespace traceproof::mock {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace pbt = opentelemetry::proto::trace::v1;
using namespace std::chrono_literals;
using testing::FakeCallClient;
using testing::FakeQueue;
using testing::HeaderOf;
using testing::ManualClock;
using testing::SeededRandom;
using Headers = std::vector<std::pair<std::string, std::string>>;

// A request in progress: what HandleRoute reads stays here until it is done.
struct Pending {
  HttpRequest http;
  std::string key;
  std::string path;
  std::optional<Outcome> outcome;
};

class RouteHandlerTest : public ::testing::Test {
 protected:
  void Load(const std::string& yaml) {
    graph_ = LoadServiceGraph(YAML::Load(yaml), "test.yaml");
    latencies_.emplace(graph_);
    ServiceRuntimeOptions o;
    o.sampler = MakeSampler({"always_on", std::nullopt});
    o.make_exporter = &factory_;
    o.shared.latencies = &*latencies_;
    o.shared.clock = &clock_;
    o.shared.random = &random_;
    o.shared.client = &client_;
    o.shared.queue = &queue_;
    o.shared.ledger = &ledger_;
    o.shared.truth = &truth_;
    o.shared.counters = &counters_;
    for (const ServiceDef& def : graph_.services)
      runtimes_.emplace(def.name, std::make_unique<ServiceRuntime>(def, graph_, o));
  }

  const StepContext& Ctx(const std::string& service) { return runtimes_.at(service)->context(); }

  std::unique_ptr<Pending> Spawn(const std::string& service, const std::string& key,
                                 const Headers& headers = {}) {
    auto p = std::make_unique<Pending>();
    p->key = key;
    p->path = key.substr(key.find(' ') + 1);
    p->http = HttpRequest{http::string_to_verb(key.substr(0, key.find(' '))), p->path, 11};
    for (const auto& [name, value] : headers) p->http.set(name, value);
    const Route* route = nullptr;
    for (const Route& r : runtimes_.at(service)->def().routes)
      if (r.method + " " + r.path == key) route = &r;
    EXPECT_NE(route, nullptr) << key;
    asio::co_spawn(ioc_, HandleRoute(*route, RouteRequest{p->http, p->key, p->path}, Ctx(service)),
                   [out = &p->outcome](std::exception_ptr e, Outcome o) {
                     if (e) std::rethrow_exception(e);
                     *out = std::move(o);
                   });
    return p;
  }

  // Runs whatever is ready; then, while `done` is false, jumps the clock to the next deadline.
  template <typename Done>
  void DriveUntil(Done done) {
    for (int i = 0; i < 10000; ++i) {
      ioc_.restart();
      ioc_.poll();
      if (done()) return;
      const auto next = clock_.NextDeadline();
      if (!next) return;
      clock_.AdvanceTo(*next);
    }
  }
  void Poll() {
    ioc_.restart();
    ioc_.poll();
  }

  Outcome Serve(const std::string& service, const std::string& key, const Headers& headers = {}) {
    auto p = Spawn(service, key, headers);
    DriveUntil([&] { return p->outcome.has_value(); });
    EXPECT_TRUE(p->outcome) << key << " did not finish";
    return p->outcome.value_or(Outcome{0, "unfinished", false});
  }

  const Consumer& ConsumerOf(const std::string& service) {
    return runtimes_.at(service)->def().consumers.at(0);
  }
  void Consume(const std::string& service, QueueMessage message) {
    RunToEnd(ConsumeMessage(ConsumerOf(service), std::move(message), Ctx(service)));
  }
  void ConsumeAll(const std::string& service, std::vector<QueueMessage> batch) {
    RunToEnd(ConsumeBatch(ConsumerOf(service), std::move(batch), Ctx(service)));
  }
  void RunToEnd(asio::awaitable<void> work) {
    bool done = false;
    asio::co_spawn(ioc_, std::move(work), [&done](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
      done = true;
    });
    DriveUntil([&] { return done; });
    EXPECT_TRUE(done);
  }

  // The spans the service's exporter received, once its batch processor has flushed.
  std::vector<pbt::Span> Exported(const std::string& service) {
    EXPECT_TRUE(runtimes_.at(service)->processor()->ForceFlush(5s));
    std::vector<pbt::Span> out;
    for (const FinishedSpan& f : exporters_.at(service)->spans()) {
      out.emplace_back();
      EXPECT_TRUE(out.back().ParseFromString(f.encoded));
    }
    return out;
  }
  static const pbt::Span* Named(const std::vector<pbt::Span>& spans, std::string_view name) {
    for (const pbt::Span& s : spans)
      if (s.name() == name) return &s;
    return nullptr;
  }
  static std::optional<std::string> Attribute(const pbt::Span& span, std::string_view key) {
    for (const auto& kv : span.attributes()) {
      if (kv.key() != key) continue;
      if (kv.value().has_int_value()) return std::to_string(kv.value().int_value());
      return kv.value().string_value();
    }
    return std::nullopt;
  }

  std::vector<GroundTruthSpan> Truth() const { return truth_.Snapshot(); }
  GroundTruthSpan TruthOf(std::string_view name) const {
    for (const GroundTruthSpan& s : truth_.Snapshot())
      if (s.name == name) return s;
    ADD_FAILURE() << "no ground truth span '" << name << "'";
    return {};
  }

  // A message as the publish step of `service`'s route `key` sent it.
  QueueMessage Published(const std::string& service, const std::string& key) {
    const std::size_t before = queue_.messages().size();
    EXPECT_EQ(Serve(service, key).status, 200u);
    EXPECT_EQ(queue_.messages().size(), before + 1);
    return queue_.messages().back().message;
  }

  static std::string Traceparent(const SpanContext& ctx) { return w3c::FormatTraceparent(ctx); }
  static SpanContext CallerContext() {
    SpanContext c;
    c.trace_id = NewTraceId();
    c.span_id = NewSpanId();
    c.trace_flags = 1;
    return c;
  }

  ServiceGraph graph_;
  ManualClock clock_;
  SeededRandom random_{42};
  FakeCallClient client_;
  FakeQueue queue_;
  MessageLedger ledger_;
  GroundTruthRecorder truth_;
  RuntimeCounters counters_;
  std::optional<StepLatencies> latencies_;
  std::map<std::string, InMemoryExporter*> exporters_;
  ExporterFactory factory_ = [this](const ResourceInfo& resource) {
    auto exporter = std::make_unique<InMemoryExporter>();
    exporters_[resource.attributes.at(0).second] = exporter.get();  // service.name first
    return exporter;
  };
  std::map<std::string, std::unique_ptr<ServiceRuntime>> runtimes_;
  std::unique_ptr<IoContextPool> pool_ = std::make_unique<IoContextPool>(1);  // never Run
  asio::io_context ioc_;  // last: destroyed first, with any coroutine still parked on it
};

constexpr const char* kShop = R"(
services:
  orders:
    routes:
      "POST /orders":
        - work: { name: create-order, latency: 1ms }
        - call: payments POST /charge
        - call: inventory POST /reserve
  payments:
    routes:
      "POST /charge":
        - work: { name: charge-card, latency: 1ms }
  inventory:
    routes:
      "POST /reserve": []
)";

std::string Shop(const std::string& faults) { return std::string(kShop) + "faults:\n" + faults; }

// --- one test per fault kind ---

TEST_F(RouteHandlerTest, LatencyFaultWaitsBeforeTheStepsAndIsRecorded) {
  Load(Shop("  - { service: payments, latency: 50ms }\n"));
  auto p = Spawn("payments", "POST /charge");
  Poll();
  ASSERT_FALSE(p->outcome) << "held by the latency fault";
  EXPECT_EQ(clock_.sleeps(), std::vector<Nanos>{Nanos(50ms)});
  EXPECT_TRUE(Truth().empty()) << "the work step has not started yet";
  clock_.Advance(50ms);
  DriveUntil([&] { return p->outcome.has_value(); });
  ASSERT_TRUE(p->outcome);
  EXPECT_EQ(p->outcome->status, 200u);
  EXPECT_EQ(clock_.sleeps(), (std::vector<Nanos>{Nanos(50ms), Nanos(1ms)}));
  EXPECT_EQ(TruthOf("POST /charge").faults, std::vector<std::string>{"latency"});
  EXPECT_TRUE(TruthOf("charge-card").faults.empty());
}

TEST_F(RouteHandlerTest, ErrorFaultAnswersItsStatusSkipsTheStepsAndMarksTheSpan) {
  Load(Shop("  - { service: payments, error: { status: 503, message: card network down } }\n"));
  const Outcome out = Serve("payments", "POST /charge");
  EXPECT_EQ(out.status, 503u);
  EXPECT_NE(out.body.find("\"error\":\"card network down\""), std::string::npos) << out.body;
  ASSERT_EQ(Truth().size(), 1u) << "the route's work step never ran";
  const GroundTruthSpan server = TruthOf("POST /charge");
  EXPECT_EQ(server.status, StatusCode::kError);
  EXPECT_EQ(server.faults, std::vector<std::string>{"error"});
  const auto spans = Exported("payments");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].status().code(), pbt::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(spans[0].status().message(), "card network down");
  ASSERT_EQ(spans[0].events_size(), 1);
  EXPECT_EQ(spans[0].events(0).name(), "exception");
  EXPECT_EQ(Attribute(spans[0], "http.response.status_code"), "503");
}

TEST_F(RouteHandlerTest, ErrorFaultWithA4xxStatusLeavesTheServerSpanUnset) {
  Load(Shop("  - { service: payments, error: 404 }\n"));
  EXPECT_EQ(Serve("payments", "POST /charge").status, 404u);
  EXPECT_EQ(TruthOf("POST /charge").status, StatusCode::kUnset) << "4xx is the client's fault";
}

TEST_F(RouteHandlerTest, TimeoutFaultHoldsTheRequestThenAnswersNothing) {
  Load(Shop("  - { service: payments, timeout: true }\n"));
  auto p = Spawn("payments", "POST /charge");
  Poll();
  ASSERT_FALSE(p->outcome);
  EXPECT_EQ(clock_.sleeps(), std::vector<Nanos>{Nanos(30s)}) << "timeout: true holds 30 s";
  clock_.Advance(29s);
  Poll();
  EXPECT_FALSE(p->outcome) << "still held at 29 s";
  clock_.Advance(1s);
  Poll();
  ASSERT_TRUE(p->outcome);
  EXPECT_TRUE(p->outcome->reset);
  EXPECT_TRUE(Truth().empty()) << "a server that never answers emits no span";
}

TEST_F(RouteHandlerTest, ResetFaultClosesTheConnectionAtOnceWithoutASpan) {
  Load(Shop("  - { service: payments, reset: true, route: POST /charge }\n"));
  const Outcome out = Serve("payments", "POST /charge");
  EXPECT_TRUE(out.reset);
  EXPECT_TRUE(clock_.sleeps().empty());
  EXPECT_TRUE(Truth().empty());
  EXPECT_FALSE(Serve("inventory", "POST /reserve").reset) << "only the faulted service resets";
}

TEST_F(RouteHandlerTest, DropTraceparentStripsTheTraceHeadersOfCallsToThatServiceOnly) {
  Load(Shop("  - { service: orders, drop_traceparent: true, to: payments }\n"));
  const SpanContext caller = CallerContext();
  EXPECT_EQ(Serve("orders", "POST /orders", {{"traceparent", Traceparent(caller)}}).status, 200u);
  const auto* to_payments = client_.CallTo("payments");
  const auto* to_inventory = client_.CallTo("inventory");
  ASSERT_TRUE(to_payments && to_inventory);
  EXPECT_FALSE(to_payments->Header("traceparent")) << "dropped on the call to payments";
  ASSERT_TRUE(to_inventory->Header("traceparent")) << "kept on the call to inventory";
  const GroundTruthSpan client = TruthOf("POST payments");
  EXPECT_EQ(client.faults, std::vector<std::string>{"drop_traceparent"});
  EXPECT_EQ(client.expected_parent_span_id, TruthOf("POST /orders").span_id);
  EXPECT_TRUE(TruthOf("POST inventory").faults.empty());
  // The harness headers survive, so the callee records whom it should have been the child of.
  EXPECT_EQ(to_payments->Header(kExpectedParentHeader), client.span_id.Hex());
  EXPECT_EQ(to_payments->Header(kRequestIdHeader), std::to_string(client.request_id));
  EXPECT_EQ(w3c::ParseTraceparent(*to_inventory->Header("traceparent"))->trace_id, caller.trace_id);
}

TEST_F(RouteHandlerTest, CalleeRecordsTheExpectedParentWhenTheTraceHeadersAreGone) {
  Load(Shop(""));
  const SpanId client = NewSpanId();
  Serve(
      "payments", "POST /charge",
      {{std::string(kExpectedParentHeader), client.Hex()}, {std::string(kRequestIdHeader), "77"}});
  const GroundTruthSpan server = TruthOf("POST /charge");
  EXPECT_FALSE(server.parent_span_id.IsValid()) << "no traceparent: a new trace";
  EXPECT_EQ(server.expected_parent_span_id, client);
  EXPECT_EQ(server.request_id, 77u);
}

constexpr const char* kQueue = R"(
services:
  orders:
    routes:
      "POST /orders":
        - publish: order.created
  fulfilment:
    consumers:
      order.created: { steps: [ { work: { name: pick, latency: 1ms } } ] }
)";

std::string Queue(const std::string& faults) { return std::string(kQueue) + "faults:\n" + faults; }

TEST_F(RouteHandlerTest, ConsumerIsTheChildOfTheProducerWithoutFaults) {
  Load(Queue(""));
  QueueMessage msg = Published("orders", "POST /orders");
  Consume("fulfilment", std::move(msg));
  EXPECT_EQ(TruthOf("process order.created").parent_span_id,
            TruthOf("publish order.created").span_id);
  EXPECT_EQ(TruthOf("pick").parent_span_id, TruthOf("process order.created").span_id);
}

TEST_F(RouteHandlerTest, StripQueueHeadersPublishesWithoutTraceHeadersAndOrphansTheConsumer) {
  Load(Queue("  - { service: orders, strip_queue_headers: true }\n"));
  QueueMessage msg = Published("orders", "POST /orders");
  const GroundTruthSpan producer = TruthOf("publish order.created");
  EXPECT_FALSE(HeaderOf(msg, "traceparent"));
  EXPECT_EQ(HeaderOf(msg, kExpectedParentHeader), producer.span_id.Hex());
  EXPECT_EQ(HeaderOf(msg, kRequestIdHeader), std::to_string(producer.request_id));
  EXPECT_EQ(producer.faults, std::vector<std::string>{"strip_queue_headers"});
  Consume("fulfilment", std::move(msg));
  const GroundTruthSpan consumer = TruthOf("process order.created");
  EXPECT_FALSE(consumer.parent_span_id.IsValid());
  EXPECT_EQ(consumer.expected_parent_span_id, producer.span_id);
  EXPECT_EQ(consumer.request_id, producer.request_id);
}

TEST_F(RouteHandlerTest, IgnoreQueueHeadersMakesTheConsumerARootThoughTheMessageHasContext) {
  Load(Queue("  - { service: fulfilment, ignore_queue_headers: true }\n"));
  QueueMessage msg = Published("orders", "POST /orders");
  ASSERT_TRUE(HeaderOf(msg, "traceparent")) << "the producer sent its context";
  Consume("fulfilment", std::move(msg));
  const GroundTruthSpan consumer = TruthOf("process order.created");
  EXPECT_FALSE(consumer.parent_span_id.IsValid());
  EXPECT_NE(consumer.trace_id, TruthOf("publish order.created").trace_id);
  EXPECT_EQ(consumer.expected_parent_span_id, TruthOf("publish order.created").span_id);
  EXPECT_EQ(consumer.faults, std::vector<std::string>{"ignore_queue_headers"});
}

TEST_F(RouteHandlerTest, DetachedSpanStartsWorkInANewTraceThatTruthStillPlaces) {
  Load(Shop("  - { service: orders, detached_span: true }\n"));
  const SpanContext caller = CallerContext();
  Serve("orders", "POST /orders", {{"traceparent", Traceparent(caller)}});
  const GroundTruthSpan server = TruthOf("POST /orders");
  const GroundTruthSpan work = TruthOf("create-order");
  EXPECT_EQ(server.parent_span_id, caller.span_id) << "the server span is not detached";
  EXPECT_FALSE(work.parent_span_id.IsValid());
  EXPECT_NE(work.trace_id, server.trace_id);
  EXPECT_EQ(work.expected_parent_span_id, server.span_id);
  EXPECT_EQ(work.faults, std::vector<std::string>{"detached_span"});
  EXPECT_EQ(TruthOf("POST payments").parent_span_id, server.span_id) << "calls stay attached";
}

TEST_F(RouteHandlerTest, DetachedSpanOnAConsumerStartsANewTrace) {
  Load(Queue("  - { service: fulfilment, detached_span: true }\n"));
  Consume("fulfilment", Published("orders", "POST /orders"));
  const GroundTruthSpan consumer = TruthOf("process order.created");
  EXPECT_FALSE(consumer.parent_span_id.IsValid());
  EXPECT_EQ(consumer.expected_parent_span_id, TruthOf("publish order.created").span_id);
  EXPECT_NE(std::find(consumer.faults.begin(), consumer.faults.end(), "detached_span"),
            consumer.faults.end());
}

TEST_F(RouteHandlerTest, NackFirstHandsTheFirstDeliveryBackAndAcksTheRedelivery) {
  Load(Queue("  - { service: fulfilment, nack_first: true }\n"));
  QueueMessage msg = Published("orders", "POST /orders");
  ASSERT_EQ(ledger_.awaiting(), 1u);
  std::vector<bool> settled;
  msg.settle = [&settled](bool processed) { settled.push_back(processed); };
  QueueMessage again = msg;
  again.redelivered = true;
  Consume("fulfilment", std::move(msg));
  EXPECT_EQ(settled, std::vector<bool>{false}) << "nacked";
  EXPECT_EQ(ledger_.awaiting(), 1u) << "a nacked message is still owed a processing";
  const GroundTruthSpan first = TruthOf("process order.created");
  EXPECT_TRUE(first.nacked);
  EXPECT_EQ(first.status, StatusCode::kError);
  EXPECT_EQ(first.faults, std::vector<std::string>{"nack_first"});
  Consume("fulfilment", std::move(again));
  EXPECT_EQ(settled, (std::vector<bool>{false, true})) << "the redelivery is acked";
  EXPECT_EQ(ledger_.awaiting(), 0u);
  EXPECT_EQ(counters_.redelivered.load(), 1u);
  std::size_t consumers = 0;
  for (const GroundTruthSpan& s : Truth()) {
    if (s.kind != SpanKind::kConsumer || !s.redelivered) continue;
    ++consumers;
    EXPECT_FALSE(s.nacked);
    EXPECT_EQ(s.status, StatusCode::kUnset);
  }
  EXPECT_EQ(consumers, 1u);
}

TEST_F(RouteHandlerTest, NackFirstEveryNthNacksExactlyEveryNthFirstDelivery) {
  Load(Queue("  - { service: fulfilment, nack_first: { every: 3 } }\n"));
  std::vector<bool> settled;
  for (int i = 0; i < 6; ++i) {
    QueueMessage msg = Published("orders", "POST /orders");
    msg.settle = [&settled](bool processed) { settled.push_back(processed); };
    Consume("fulfilment", std::move(msg));
  }
  EXPECT_EQ(settled, (std::vector<bool>{true, true, false, true, true, false}));
}

TEST_F(RouteHandlerTest, NackFirstNeedsAQueueThatCanTakeTheMessageBack) {
  Load(Queue("  - { service: fulfilment, nack_first: true }\n"));
  Consume("fulfilment", Published("orders", "POST /orders"));  // no settle: nothing to nack
  EXPECT_FALSE(TruthOf("process order.created").nacked);
  EXPECT_EQ(ledger_.awaiting(), 0u);
}

TEST_F(RouteHandlerTest, HighCardinalityGivesEverySpanOfTheServiceAUniqueUserId) {
  Load(Shop("  - { service: payments, high_cardinality: true }\n"));
  Serve("payments", "POST /charge");
  Serve("payments", "POST /charge");
  Serve("inventory", "POST /reserve");
  std::set<std::string> ids;
  const auto spans = Exported("payments");
  ASSERT_EQ(spans.size(), 4u);
  for (const pbt::Span& s : spans) {
    const auto id = Attribute(s, "user.id");
    ASSERT_TRUE(id) << s.name();
    ids.insert(*id);
  }
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_EQ(TruthOf("charge-card").faults, std::vector<std::string>{"high_cardinality"});
  const auto other = Exported("inventory");
  ASSERT_EQ(other.size(), 1u);
  EXPECT_FALSE(Attribute(other[0], "user.id")) << "other services are not affected";
}

TEST_F(RouteHandlerTest, ClockSkewShiftsTheServicesTimestampsButNotTheTruths) {
  Load(Shop("  - { service: payments, clock_skew: -5s }\n"));
  Serve("payments", "POST /charge");
  Serve("inventory", "POST /reserve");
  const auto skewed = Exported("payments");
  const pbt::Span* charge = Named(skewed, "POST /charge");
  ASSERT_NE(charge, nullptr);
  const GroundTruthSpan truth = TruthOf("POST /charge");
  const auto shift = static_cast<std::int64_t>(truth.start_unix_ns) -
                     static_cast<std::int64_t>(charge->start_time_unix_nano());
  EXPECT_NEAR(static_cast<double>(shift), 5e9, 0.5e9);
  EXPECT_EQ(truth.faults, std::vector<std::string>{"clock_skew"});
  const auto plain = Exported("inventory");
  const pbt::Span* reserve = Named(plain, "POST /reserve");
  ASSERT_NE(reserve, nullptr);
  EXPECT_NEAR(static_cast<double>(reserve->start_time_unix_nano()),
              static_cast<double>(TruthOf("POST /reserve").start_unix_ns), 0.5e9);
}

TEST_F(RouteHandlerTest, ExporterOutageDropsOnlyTheSpansEndedInItsWindow) {
  Load(Shop("  - { service: payments, exporter_outage: true, from: 10s, until: 30s }\n"));
  ServiceRuntime& payments = *runtimes_.at("payments");
  BatchSpanProcessor* processor = payments.processor();
  std::vector<bool> pauses;
  ScheduleExporterOutages(payments.faults(), clock_, ioc_.get_executor(), [&](bool paused) {
    pauses.push_back(paused);
    processor->SetExportPaused(paused);
  });
  Poll();
  Serve("payments", "POST /charge");  // before the window (runs no timer of its own past 1 ms)
  EXPECT_EQ(Exported("payments").size(), 2u);
  clock_.AdvanceTo(payments.faults().start() + 10s);
  Poll();
  EXPECT_EQ(pauses, std::vector<bool>{true});
  Serve("payments", "POST /charge");
  EXPECT_EQ(Exported("payments").size(), 2u) << "nothing exported in the window";
  EXPECT_EQ(processor->dropped_spans_outage(), 2u);
  clock_.AdvanceTo(payments.faults().start() + 30s);
  Poll();
  EXPECT_EQ(pauses, (std::vector<bool>{true, false}));
  Serve("payments", "POST /charge");
  EXPECT_EQ(Exported("payments").size(), 4u);
  EXPECT_EQ(Truth().size(), 6u) << "ground truth knows every span, exported or not";
}

TEST_F(RouteHandlerTest, FaultWindowsAndRoutesDecideWhichRequestsAFaultApplies) {
  Load(Shop("  - { service: payments, error: 500, from: 1s, until: 2s, route: POST /charge }\n"));
  ServiceRuntime& payments = *runtimes_.at("payments");
  EXPECT_EQ(Serve("payments", "POST /charge").status, 200u) << "before the window";
  clock_.AdvanceTo(payments.faults().start() + 1s);
  EXPECT_EQ(Serve("payments", "POST /charge").status, 500u) << "in the window";
  clock_.AdvanceTo(payments.faults().start() + 2s);
  EXPECT_EQ(Serve("payments", "POST /charge").status, 200u) << "until is exclusive";
}

TEST_F(RouteHandlerTest, AFaultRateAppliesToThatShareOfRequests) {
  Load(Shop("  - { service: inventory, error: 500, rate: 25% }\n"));
  int failed = 0;
  for (int i = 0; i < 2000; ++i) failed += Serve("inventory", "POST /reserve").status == 500;
  EXPECT_GT(failed, 400);
  EXPECT_LT(failed, 600);
}

// --- the step interpreter ---

constexpr const char* kSteps = R"(
services:
  app:
    routes:
      "POST /parallel":
        - parallel:
            - work: { name: a, latency: 50ms }
            - work: { name: b, latency: 50ms }
      "POST /sequential":
        - work: { name: a, latency: 50ms }
        - work: { name: b, latency: 50ms }
      "POST /flaky":
        - error: { status: 500, rate: 30%, message: flaky }
        - work: { name: after, latency: 1ms }
      "POST /pay":
        - call: payments POST /charge
        - work: { name: after, latency: 1ms }
  payments:
    routes:
      "POST /charge": []
)";

TEST_F(RouteHandlerTest, ParallelBranchesOverlap) {
  Load(kSteps);
  const auto start = clock_.Now();
  auto p = Spawn("app", "POST /parallel");
  Poll();
  EXPECT_EQ(clock_.waiting(), 2u) << "both branches are waiting at once";
  DriveUntil([&] { return p->outcome.has_value(); });
  ASSERT_TRUE(p->outcome);
  EXPECT_EQ(clock_.Now() - start, 50ms);
  const GroundTruthSpan a = TruthOf("a"), b = TruthOf("b");
  EXPECT_LT(b.start_unix_ns, a.end_unix_ns);
  EXPECT_LT(a.start_unix_ns, b.end_unix_ns);
  EXPECT_EQ(a.parent_span_id, TruthOf("POST /parallel").span_id);
  EXPECT_EQ(b.parent_span_id, TruthOf("POST /parallel").span_id);
}

TEST_F(RouteHandlerTest, SequentialStepsDoNotOverlap) {
  Load(kSteps);
  const auto start = clock_.Now();
  auto p = Spawn("app", "POST /sequential");
  Poll();
  EXPECT_EQ(clock_.waiting(), 1u);
  DriveUntil([&] { return p->outcome.has_value(); });
  ASSERT_TRUE(p->outcome);
  EXPECT_EQ(clock_.Now() - start, 100ms);
  EXPECT_GE(TruthOf("b").start_unix_ns, TruthOf("a").end_unix_ns);
}

TEST_F(RouteHandlerTest, ErrorStepFailsItsShareOfRequestsAndSkipsTheRest) {
  Load(kSteps);
  int failed = 0;
  for (int i = 0; i < 2000; ++i) {
    const Outcome out = Serve("app", "POST /flaky");
    if (out.status == 500) {
      ++failed;
      EXPECT_NE(out.body.find("\"error\":\"flaky\""), std::string::npos);
    } else {
      EXPECT_EQ(out.status, 200u);
    }
  }
  EXPECT_GT(failed, 500);
  EXPECT_LT(failed, 700);
  std::size_t after = 0, errors = 0;
  for (const GroundTruthSpan& s : Truth()) {
    after += s.name == "after";
    errors += s.name == "POST /flaky" && s.status == StatusCode::kError;
  }
  EXPECT_EQ(after, 2000u - failed) << "a failed request runs no further step";
  EXPECT_EQ(errors, static_cast<std::size_t>(failed));
}

TEST_F(RouteHandlerTest, ACallAnsweredWithAnErrorMarksTheClientSpanAndAnswers502) {
  Load(kSteps);
  client_.SetPort("payments", 8123);
  client_.Answer("payments", {HttpCallResult::Error::kNone, 503, ""});
  const Outcome out = Serve("app", "POST /pay");
  EXPECT_EQ(out.status, 502u);
  const auto spans = Exported("app");
  const pbt::Span* client = Named(spans, "POST payments");
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->status().code(), pbt::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(client->status().message(), "POST payments /charge answered 503");
  EXPECT_EQ(Attribute(*client, "http.response.status_code"), "503");
  EXPECT_EQ(Attribute(*client, "server.port"), "8123");
  EXPECT_EQ(Attribute(*client, "url.full"), "http://127.0.0.1:8123/charge");
  const pbt::Span* server = Named(spans, "POST /pay");
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->status().code(), pbt::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(Attribute(*server, "http.response.status_code"), "502");
  EXPECT_EQ(Named(spans, "after"), nullptr) << "the steps after a failed call do not run";
}

TEST_F(RouteHandlerTest, ACallThatCannotConnectSaysWhyInTheSpan) {
  Load(kSteps);
  client_.Answer("payments", {HttpCallResult::Error::kConnect, 0, "Connection refused"});
  EXPECT_EQ(Serve("app", "POST /pay").status, 502u);
  const GroundTruthSpan client = TruthOf("POST payments");
  EXPECT_EQ(client.status, StatusCode::kError);
  const auto spans = Exported("app");
  const pbt::Span* span = Named(spans, "POST payments");
  ASSERT_NE(span, nullptr);
  EXPECT_EQ(span->status().message(), "POST payments /charge failed: Connection refused");
}

TEST_F(RouteHandlerTest, ACallCarriesTheClientSpansContextAndTheRequestId) {
  Load(kSteps);
  const Outcome out = Serve("app", "POST /pay", {{std::string(kRequestIdHeader), "4242"}});
  EXPECT_EQ(out.status, 200u);
  const auto* call = client_.CallTo("payments");
  ASSERT_NE(call, nullptr);
  const GroundTruthSpan client = TruthOf("POST payments");
  const auto parent = w3c::ParseTraceparent(call->Header("traceparent").value_or(""));
  ASSERT_TRUE(parent);
  EXPECT_EQ(parent->span_id, client.span_id);
  EXPECT_EQ(call->Header(kRequestIdHeader), "4242");
  EXPECT_NE(out.body.find(client.trace_id.Hex()), std::string::npos) << out.body;
}

TEST_F(RouteHandlerTest, AFailedPublishMarksTheProducerSpanAndIsNotAwaited) {
  Load(Queue(""));
  queue_.SetAccepting(false);
  EXPECT_EQ(Serve("orders", "POST /orders").status, 200u);
  EXPECT_EQ(TruthOf("publish order.created").status, StatusCode::kError);
  EXPECT_EQ(counters_.publish_failed.load(), 1u);
  EXPECT_EQ(ledger_.awaiting(), 0u);
}

// --- batch consumers ---

constexpr const char* kBatch = R"(
services:
  orders:
    routes:
      "POST /orders":
        - publish: order.created
  fulfilment:
    consumers:
      order.created: { batch: { size: 3, wait: 50ms }, steps: [ { work: 1ms } ] }
)";

TEST_F(RouteHandlerTest, ABatchIsOneSpanLinkedToEachProducerAndNacksPerMessage) {
  Load(std::string(kBatch) + "faults:\n  - { service: fulfilment, nack_first: { every: 2 } }\n");
  std::vector<QueueMessage> batch;
  std::vector<bool> settled(3);
  for (int i = 0; i < 3; ++i) {
    batch.push_back(Published("orders", "POST /orders"));
    batch.back().settle = [&settled, i](bool processed) { settled[i] = processed; };
  }
  ConsumeAll("fulfilment", std::move(batch));
  const GroundTruthSpan span = TruthOf("process order.created");
  EXPECT_FALSE(span.parent_span_id.IsValid()) << "a batch starts a new trace";
  ASSERT_EQ(span.batch.size(), 3u);
  for (const BatchMessage& m : span.batch) EXPECT_EQ(m.linked_span_id, m.producer_span_id);
  EXPECT_EQ(settled, (std::vector<bool>{true, false, true}));
  EXPECT_TRUE(span.batch[1].nacked);
  EXPECT_EQ(span.status, StatusCode::kError);
  EXPECT_EQ(ledger_.awaiting(), 1u) << "the nacked one is still owed";
  const auto spans = Exported("fulfilment");
  const pbt::Span* exported = Named(spans, "process order.created");
  ASSERT_NE(exported, nullptr);
  EXPECT_EQ(exported->links_size(), 3);
  EXPECT_EQ(exported->status().message(), "1 of 3 messages nacked for redelivery");
  EXPECT_EQ(Attribute(*exported, "messaging.batch.message_count"), "3");
}

TEST_F(RouteHandlerTest, ABatchConsumerProcessesWhatArrivedWhenItsWaitIsOver) {
  Load(kBatch);
  ConsumerRuntime consumer(ConsumerOf("fulfilment"), Ctx("fulfilment"), *pool_);
  auto consumer_spans = [this] {
    std::vector<GroundTruthSpan> out;
    for (const GroundTruthSpan& s : Truth())
      if (s.kind == SpanKind::kConsumer) out.push_back(s);
    return out;
  };
  auto poll_pool = [this] {
    pool_->Home().restart();
    pool_->Home().poll();
  };
  consumer.Deliver(Published("orders", "POST /orders"));
  consumer.Deliver(Published("orders", "POST /orders"));
  poll_pool();
  EXPECT_EQ(clock_.waiting(), 1u) << "one wait for the batch, from its first message";
  clock_.Advance(49ms);
  poll_pool();
  EXPECT_TRUE(consumer_spans().empty()) << "a batch of 2 of 3 waits 50 ms";
  clock_.Advance(1ms);
  for (int i = 0; i < 100 && consumer_spans().empty(); ++i) {
    poll_pool();
    if (auto next = clock_.NextDeadline()) clock_.AdvanceTo(*next);
  }
  const auto spans = consumer_spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].batch.size(), 2u) << "both messages, though the batch never filled";
}

TEST_F(RouteHandlerTest, AFullBatchIsProcessedWithoutWaiting) {
  Load(kBatch);
  ConsumerRuntime consumer(ConsumerOf("fulfilment"), Ctx("fulfilment"), *pool_);
  for (int i = 0; i < 3; ++i) consumer.Deliver(Published("orders", "POST /orders"));
  for (int i = 0; i < 10; ++i) {
    pool_->Home().restart();
    pool_->Home().poll();
    if (auto next = clock_.NextDeadline(); next && *next - clock_.Now() < 50ms)
      clock_.AdvanceTo(*next);  // the work step's 1 ms, never the 50 ms batch wait
  }
  EXPECT_EQ(TruthOf("process order.created").batch.size(), 3u);
}

// --- the witness: what reached a mock (truth/inbound_record.h) ---

constexpr const char* kWitness = R"(
services:
  gateway:
    routes:
      "GET /checkout":
        - call: checkout POST /pay
  checkout: { external: "127.0.0.1:9" }
  payments:
    routes:
      "POST /charge": []
)";

InboundRecord OnlyInbound(const GroundTruthRecorder& truth) {
  const std::vector<InboundRecord> records = truth.InboundSnapshot();
  EXPECT_EQ(records.size(), 1u);
  return records.empty() ? InboundRecord{} : records.back();
}

TEST_F(RouteHandlerTest, AnInboundRequestWithoutContextIsWitnessedAsNoneWithItsCallers) {
  Load(kWitness);
  EXPECT_EQ(Serve("payments", "POST /charge").status, 200u);
  const InboundRecord r = OnlyInbound(truth_);
  EXPECT_EQ(r.kind, InboundRecord::Kind::kHttp);
  EXPECT_EQ(r.service, "payments");
  EXPECT_EQ(r.target, "POST /charge");
  EXPECT_EQ(r.context.state, InboundContext::State::kNone);
  EXPECT_FALSE(r.from_load);
  EXPECT_FALSE(r.from_mock);
  EXPECT_FALSE(r.request_id_carried);
  EXPECT_EQ(r.request_id, TruthOf("POST /charge").request_id);
  EXPECT_EQ(r.span_trace_id, TruthOf("POST /charge").trace_id);
  ASSERT_TRUE(r.callers);
  EXPECT_TRUE(r.callers->mocks.empty());  // gateway calls checkout, not payments
  EXPECT_EQ(r.callers->outside, std::vector<std::string>{"checkout"});
}

TEST_F(RouteHandlerTest, AMalformedTraceparentIsWitnessedWithItsRawValue) {
  Load(kWitness);
  Serve("payments", "POST /charge", {{"traceparent", "00-not-a-context-01"}});
  const InboundRecord r = OnlyInbound(truth_);
  EXPECT_EQ(r.context.state, InboundContext::State::kMalformed);
  EXPECT_EQ(r.context.raw, "00-not-a-context-01");
}

TEST_F(RouteHandlerTest, AValidContextIsWitnessedWithItsTraceParentAndSampledFlag) {
  Load(kWitness);
  SpanContext caller = CallerContext();
  caller.trace_flags = 0;
  Serve("payments", "POST /charge", {{"traceparent", Traceparent(caller)}});
  const InboundRecord r = OnlyInbound(truth_);
  EXPECT_EQ(r.context.state, InboundContext::State::kValid);
  EXPECT_EQ(r.context.trace_id, caller.trace_id);
  EXPECT_EQ(r.context.parent_span_id, caller.span_id);
  EXPECT_FALSE(r.context.sampled);
}

TEST_F(RouteHandlerTest, TheLoadMarkerAndTheHarnessHeadersAreWitnessed) {
  Load(kWitness);
  Serve("gateway", "GET /checkout", {{std::string(kLoadMarkerHeader), "1"}});
  const InboundRecord at_gateway = truth_.InboundSnapshot().at(0);
  EXPECT_TRUE(at_gateway.from_load);
  EXPECT_FALSE(at_gateway.from_mock);
  // gateway's call to checkout, as an app that passes every header on would forward it.
  ASSERT_FALSE(client_.calls().empty());
  const HttpCallRequest& sent = client_.calls().back().request;
  Headers forwarded;
  for (const auto& h : sent) {
    if (h.name() == http::field::host) continue;
    forwarded.emplace_back(std::string(h.name_string()), std::string(h.value()));
  }
  Serve("payments", "POST /charge", forwarded);
  const std::vector<InboundRecord> records = truth_.InboundSnapshot();
  ASSERT_EQ(records.size(), 2u);
  const InboundRecord at_payments = records.back();
  EXPECT_FALSE(at_payments.from_load);
  EXPECT_TRUE(at_payments.from_mock);
  EXPECT_TRUE(at_payments.request_id_carried);
  EXPECT_EQ(at_payments.request_id, at_gateway.request_id);
  EXPECT_EQ(at_payments.context.state, InboundContext::State::kValid);
}

TEST_F(RouteHandlerTest, EveryConsumedMessageIsWitnessedAlsoInABatch) {
  Load(Queue(""));
  QueueMessage from_mock = Published("orders", "POST /orders");
  QueueMessage from_outside;
  from_outside.body = "{}";
  Consume("fulfilment", std::move(from_mock));
  std::vector<InboundRecord> records = truth_.InboundSnapshot();
  ASSERT_FALSE(records.empty());
  const InboundRecord single = records.back();
  EXPECT_EQ(single.kind, InboundRecord::Kind::kMessage);
  EXPECT_EQ(single.target, "order.created");
  EXPECT_TRUE(single.from_mock);
  EXPECT_EQ(single.context.state, InboundContext::State::kValid);
  ASSERT_TRUE(single.callers);
  EXPECT_EQ(single.callers->mocks, std::vector<std::string>{"orders"});
  QueueMessage again = Published("orders", "POST /orders");  // orders' request is witnessed too
  const std::size_t before = truth_.InboundSnapshot().size();
  ConsumeAll("fulfilment", {std::move(again), from_outside});
  records = truth_.InboundSnapshot();
  ASSERT_EQ(records.size(), before + 2);  // one per message of the batch
  EXPECT_TRUE(records[before].from_mock);
  EXPECT_FALSE(records[before + 1].from_mock);
  EXPECT_EQ(records[before + 1].context.state, InboundContext::State::kNone);
}

}  // namespace
}  // namespace traceproof::mock
