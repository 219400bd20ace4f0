// Mock services end to end on loopback: services export real OTLP/gRPC to a real sink, and each
// fault must show in the spans the sink assembled and in the ground truth.
#include "mock_services/mock_services.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <set>
#include <thread>

#include "graph/load_graph.h"
#include "otlp/span_details.h"
#include "receiver/grpc_receiver.h"
#include "store/trace_shape.h"
#include "store/trace_store.h"
#include "tracing/otlp_grpc_exporter.h"

namespace traceproof::mock {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

unsigned Post(std::uint16_t port, const std::string& path) {
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(20));
  beast::error_code ec;
  stream.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return 0;
  http::request<http::string_body> req{http::verb::post, path, 11};
  req.set(http::field::host, "test");
  req.prepare_payload();
  http::write(stream, req, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (!ec) http::read(stream, buffer, res, ec);
  return ec ? 0 : res.result_int();
}

class MockServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    receiver_ = StartGrpcReceiver({"127.0.0.1", 0, {}, {}}, store_, counters_, error);
    ASSERT_TRUE(receiver_) << error;
  }
  void TearDown() override {
    if (services_) services_->Stop();
    if (receiver_) receiver_->Stop();
  }
  void Start(const std::string& yaml, const std::string& sampler = "always_on") {
    ServiceGraph graph = LoadServiceGraph(YAML::Load(yaml), "test.yaml");
    MockServicesOptions o;
    o.sampler.name = sampler;
    o.ground_truth = &truth_;
    o.call_timeout = std::chrono::milliseconds(500);
    o.batch.schedule_delay = std::chrono::milliseconds(20);
    const std::uint16_t port = receiver_->port();
    o.make_exporter = [port](const ResourceInfo& resource) {
      OtlpExporterOptions e;
      e.endpoint = "127.0.0.1:" + std::to_string(port);
      e.resource = resource;
      return MakeOtlpGrpcExporter(e);
    };
    std::string error;
    services_ = StartMockServices(graph, o, error);
    ASSERT_TRUE(services_) << error;
  }
  // Stops the services (flushing every span) and returns the traces the sink assembled.
  std::vector<std::shared_ptr<const Trace>> Traces() {
    services_->Stop();
    auto traces = store_.CollectCompleted(true);
    return traces;
  }
  static const SpanView* Find(const Trace& t, std::string_view name) {
    for (const auto& s : t.spans)
      if (s.name == name) return &s;
    return nullptr;
  }
  // Each call keeps its snapshot alive (a deque never moves its elements), so pointers from
  // an earlier call stay valid when a test looks up a second span.
  const GroundTruthSpan* Truth(std::string_view name) {
    truth_snapshots_.push_back(truth_.Snapshot());
    for (const auto& s : truth_snapshots_.back())
      if (s.name == name) return &s;
    return nullptr;
  }

  TraceStore store_;
  IngestCounters counters_;
  std::unique_ptr<GrpcReceiver> receiver_;
  GroundTruthRecorder truth_;
  std::deque<std::vector<GroundTruthSpan>> truth_snapshots_;
  std::unique_ptr<MockServices> services_;
};

constexpr const char* kChain = R"(
services:
  gateway:
    routes:
      "POST /checkout":
        - call: orders POST /orders
  orders:
    routes:
      "POST /orders":
        - work: { name: create-order, latency: 1ms }
        - call: payments POST /charge
  payments:
    routes:
      "POST /charge":
        - work: { name: charge-card, latency: 1ms }
)";

TEST_F(MockServicesTest, HealthyChainIsOneConnectedTraceMatchingGroundTruth) {
  Start(kChain);
  ASSERT_EQ(Post(services_->port("gateway"), "/checkout"), 200u);
  auto traces = Traces();
  ASSERT_EQ(traces.size(), 1u);
  TraceShape shape = AnalyzeTrace(*traces[0]);
  EXPECT_EQ(shape.roots.size(), 1u);
  EXPECT_TRUE(shape.orphans.empty());
  // gateway server + client, orders server + work + client, payments server + work
  EXPECT_EQ(traces[0]->spans.size(), 7u);
  auto truth = truth_.Snapshot();
  ASSERT_EQ(truth.size(), 7u);
  for (const auto& t : truth) {
    EXPECT_EQ(t.trace_id, traces[0]->id);
    EXPECT_EQ(t.parent_span_id, t.expected_parent_span_id) << t.name;
    EXPECT_TRUE(t.sampled && t.exported);
  }
  const SpanView* server = Find(*traces[0], "POST /charge");
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->service_name, "payments");
  EXPECT_EQ(server->kind, SpanKind::kServer);
}

TEST_F(MockServicesTest, DropTraceparentBreaksTheTraceAtThatHopAndTruthKnowsTheParent) {
  Start(std::string(kChain) + R"(
faults:
  - { service: orders, drop_traceparent: true, to: payments }
)");
  ASSERT_EQ(Post(services_->port("gateway"), "/checkout"), 200u);
  auto traces = Traces();
  ASSERT_EQ(traces.size(), 2u) << "the trace must split at orders -> payments";
  const GroundTruthSpan* callee = Truth("POST /charge");
  ASSERT_NE(callee, nullptr);
  EXPECT_FALSE(callee->parent_span_id.IsValid());
  const GroundTruthSpan* client = Truth("POST payments");
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(callee->expected_parent_span_id, client->span_id);
  EXPECT_EQ(client->faults, std::vector<std::string>{"drop_traceparent"});
  EXPECT_EQ(callee->request_id, client->request_id) << "one request, two traces";
}

TEST_F(MockServicesTest, ErrorFaultMakesAnErrorSpanWithExceptionEventAndStatus) {
  Start(std::string(kChain) + R"(
faults:
  - { service: payments, error: { status: 503, message: "card network down" } }
)");
  EXPECT_EQ(Post(services_->port("gateway"), "/checkout"), 502u);
  auto traces = Traces();
  ASSERT_EQ(traces.size(), 1u);
  const SpanView* charge = Find(*traces[0], "POST /charge");
  ASSERT_NE(charge, nullptr);
  EXPECT_EQ(charge->status, StatusCode::kError);
  EXPECT_EQ(charge->status_message, "card network down");
  auto details = DecodeSpanDetails(*charge);
  ASSERT_TRUE(details);
  ASSERT_EQ(details->span.events_size(), 1);
  EXPECT_EQ(details->span.events(0).name(), "exception");
  // The error surfaces up the chain: every server span on the path is ERROR.
  EXPECT_EQ(Find(*traces[0], "POST /checkout")->status, StatusCode::kError);
  EXPECT_EQ(Truth("POST /charge")->faults, std::vector<std::string>{"error"});
}

TEST_F(MockServicesTest, LatencyFaultDelaysTheRoute) {
  Start(std::string(kChain) + R"(
faults:
  - { service: payments, latency: 150ms }
)");
  ASSERT_EQ(Post(services_->port("gateway"), "/checkout"), 200u);
  auto traces = Traces();
  ASSERT_EQ(traces.size(), 1u);
  EXPECT_GE(Find(*traces[0], "POST /charge")->DurationNs(), 150'000'000);
  EXPECT_EQ(Truth("POST /charge")->faults, std::vector<std::string>{"latency"});
}

TEST_F(MockServicesTest, ResetAndTimeoutFailTheCallerSpan) {
  Start(std::string(kChain) + R"(
faults:
  - { service: payments, reset: true }
)");
  EXPECT_EQ(Post(services_->port("gateway"), "/checkout"), 502u);
  auto traces = Traces();
  ASSERT_EQ(traces.size(), 1u);
  const SpanView* client = Find(*traces[0], "POST payments");
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->status, StatusCode::kError);
  EXPECT_EQ(Find(*traces[0], "POST /charge"), nullptr) << "a reset server emits no span";
}

TEST_F(MockServicesTest, TimeoutFaultHoldsTheRequestPastTheCallersTimeout) {
  Start(std::string(kChain) + R"(
faults:
  - { service: payments, timeout: 2s }
)");
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Post(services_->port("gateway"), "/checkout"), 502u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1900));
  auto traces = Traces();
  const SpanView* client = Find(*traces.at(0), "POST payments");
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->status, StatusCode::kError);
  EXPECT_NE(std::string(client->status_message).find("timeout"), std::string::npos)
      << client->status_message;
}

TEST_F(MockServicesTest, DetachedSpanStartsANewTrace) {
  Start(std::string(kChain) + R"(
faults:
  - { service: orders, detached_span: true }
)");
  ASSERT_EQ(Post(services_->port("gateway"), "/checkout"), 200u);
  auto traces = Traces();
  EXPECT_EQ(traces.size(), 2u);
  const GroundTruthSpan* work = Truth("create-order");
  ASSERT_NE(work, nullptr);
  EXPECT_FALSE(work->parent_span_id.IsValid());
  EXPECT_TRUE(work->expected_parent_span_id.IsValid());
  EXPECT_EQ(work->faults, std::vector<std::string>{"detached_span"});
}

TEST_F(MockServicesTest, HighCardinalityAddsAUniqueUserIdPerRequest) {
  Start(std::string(kChain) + R"(
faults:
  - { service: gateway, high_cardinality: true }
)");
  ASSERT_EQ(Post(services_->port("gateway"), "/checkout"), 200u);
  ASSERT_EQ(Post(services_->port("gateway"), "/checkout"), 200u);
  auto traces = Traces();
  ASSERT_EQ(traces.size(), 2u);
  std::set<std::string> user_ids;
  for (const auto& t : traces) {
    auto d = DecodeSpanDetails(*Find(*t, "POST /checkout"));
    ASSERT_TRUE(d);
    for (const auto& kv : d->span.attributes())
      if (kv.key() == "user.id") user_ids.insert(kv.value().string_value());
  }
  EXPECT_EQ(user_ids.size(), 2u);
}

TEST_F(MockServicesTest, ClockSkewShiftsOneServicesTimestamps) {
  Start(std::string(kChain) + R"(
faults:
  - { service: payments, clock_skew: -5s }
)");
  ASSERT_EQ(Post(services_->port("gateway"), "/checkout"), 200u);
  auto traces = Traces();
  ASSERT_EQ(traces.size(), 1u);
  TraceShape shape = AnalyzeTrace(*traces[0]);
  ASSERT_FALSE(shape.skewed.empty());
  EXPECT_EQ(traces[0]->spans[shape.skewed[0]].service_name, "payments");
  EXPECT_EQ(Truth("POST /charge")->faults, std::vector<std::string>{"clock_skew"});
}

TEST_F(MockServicesTest, ExporterOutageDropsThatServicesSpansAndCountsThem) {
  Start(std::string(kChain) + R"(
faults:
  - { service: payments, exporter_outage: true }
)");
  ASSERT_EQ(Post(services_->port("gateway"), "/checkout"), 200u);
  auto traces = Traces();
  ASSERT_EQ(traces.size(), 1u);
  EXPECT_EQ(Find(*traces[0], "POST /charge"), nullptr);
  EXPECT_EQ(services_->stats().spans_dropped_outage, 2u);
  EXPECT_NE(Truth("POST /charge"), nullptr) << "ground truth still knows the span existed";
}

TEST_F(MockServicesTest, UnsampledSpansAreInGroundTruthButNotExported) {
  Start(kChain, "always_off");
  ASSERT_EQ(Post(services_->port("gateway"), "/checkout"), 200u);
  EXPECT_TRUE(Traces().empty());
  auto truth = truth_.Snapshot();
  ASSERT_EQ(truth.size(), 7u);
  for (const auto& t : truth) EXPECT_FALSE(t.sampled || t.exported);
}

constexpr const char* kQueue = R"(
services:
  orders:
    routes:
      "POST /orders":
        - publish: order.created
  fulfilment:
    consumers:
      order.created: { link: LINK, steps: [ { work: 1ms } ] }
)";

std::string Queue(bool link) {
  std::string s = kQueue;
  s.replace(s.find("LINK"), 4, link ? "true" : "false");
  return s;
}

TEST_F(MockServicesTest, ConsumerIsAChildOfTheProducerByDefault) {
  Start(Queue(false));
  ASSERT_EQ(Post(services_->port("orders"), "/orders"), 200u);
  auto traces = Traces();
  ASSERT_EQ(traces.size(), 1u);
  const SpanView* consumer = Find(*traces[0], "process order.created");
  const SpanView* producer = Find(*traces[0], "publish order.created");
  ASSERT_TRUE(consumer && producer);
  EXPECT_EQ(consumer->parent_span_id, producer->span_id);
  EXPECT_EQ(consumer->kind, SpanKind::kConsumer);
}

TEST_F(MockServicesTest, LinkedConsumerStartsATraceLinkedToTheProducer) {
  Start(Queue(true));
  ASSERT_EQ(Post(services_->port("orders"), "/orders"), 200u);
  auto traces = Traces();
  ASSERT_EQ(traces.size(), 2u);
  const GroundTruthSpan* consumer = Truth("process order.created");
  const GroundTruthSpan* producer = Truth("publish order.created");
  ASSERT_TRUE(consumer && producer);
  EXPECT_FALSE(consumer->parent_span_id.IsValid());
  for (const auto& t : traces) {
    if (const SpanView* c = Find(*t, "process order.created")) {
      auto d = DecodeSpanDetails(*c);
      ASSERT_TRUE(d);
      ASSERT_EQ(d->span.links_size(), 1);
      EXPECT_EQ(SpanId::FromBytes(d->span.links(0).span_id()), producer->span_id);
    }
  }
}

TEST_F(MockServicesTest, StrippedQueueHeadersOrphanTheConsumer) {
  Start(Queue(false) + R"(
faults:
  - { service: orders, strip_queue_headers: true }
)");
  ASSERT_EQ(Post(services_->port("orders"), "/orders"), 200u);
  auto traces = Traces();
  EXPECT_EQ(traces.size(), 2u);
  const GroundTruthSpan* consumer = Truth("process order.created");
  const GroundTruthSpan* producer = Truth("publish order.created");
  ASSERT_TRUE(consumer && producer);
  EXPECT_FALSE(consumer->parent_span_id.IsValid());
  EXPECT_EQ(consumer->expected_parent_span_id, producer->span_id);
  EXPECT_EQ(producer->faults, std::vector<std::string>{"strip_queue_headers"});
}

constexpr const char* kBatchQueue = R"(
services:
  orders:
    routes:
      "POST /orders":
        - publish: order.created
  fulfilment:
    consumers:
      order.created: { batch: BATCH, steps: [ { work: 1ms } ] }
)";

std::string BatchQueue(const std::string& batch) {
  std::string s = kBatchQueue;
  s.replace(s.find("BATCH"), 5, batch);
  return s;
}

std::vector<GroundTruthSpan> OfKind(const std::vector<GroundTruthSpan>& truth, SpanKind kind) {
  std::vector<GroundTruthSpan> out;
  for (const auto& s : truth)
    if (s.kind == kind) out.push_back(s);
  return out;
}

TEST_F(MockServicesTest, BatchConsumerProcessesAFullBatchUnderOneSpanLinkedToEachProducer) {
  // The wait is far longer than the test: only a full batch can start the span.
  Start(BatchQueue("{ size: 3, wait: 60s }"));
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Post(services_->port("orders"), "/orders"), 200u);
  auto traces = Traces();
  const auto truth = truth_.Snapshot();
  const auto producers = OfKind(truth, SpanKind::kProducer);
  const auto consumers = OfKind(truth, SpanKind::kConsumer);
  ASSERT_EQ(producers.size(), 3u);
  ASSERT_EQ(consumers.size(), 1u);
  const GroundTruthSpan& batch = consumers[0];
  EXPECT_FALSE(batch.parent_span_id.IsValid()) << "a batch starts a new trace";
  EXPECT_FALSE(batch.expected_parent_span_id.IsValid());
  ASSERT_EQ(batch.batch.size(), 3u);
  std::set<SpanId> linked, expected;
  for (const BatchMessage& m : batch.batch) {
    EXPECT_EQ(m.linked_span_id, m.producer_span_id);
    linked.insert(m.linked_span_id);
    EXPECT_FALSE(m.redelivered || m.nacked);
  }
  for (const auto& p : producers) expected.insert(p.span_id);
  EXPECT_EQ(linked, expected) << "one link per message, to its own producer";
  EXPECT_EQ(traces.size(), 4u) << "three request traces and the batch's";
  bool found = false;
  for (const auto& t : traces) {
    const SpanView* c = Find(*t, "process order.created");
    if (!c) continue;
    found = true;
    auto d = DecodeSpanDetails(*c);
    ASSERT_TRUE(d);
    std::set<SpanId> sink_links;
    for (const auto& l : d->span.links()) sink_links.insert(SpanId::FromBytes(l.span_id()));
    EXPECT_EQ(sink_links, expected);
    std::int64_t count = 0;
    for (const auto& kv : d->span.attributes())
      if (kv.key() == "messaging.batch.message_count") count = kv.value().int_value();
    EXPECT_EQ(count, 3);
  }
  EXPECT_TRUE(found);
}

TEST_F(MockServicesTest, BatchConsumerProcessesWhatArrivedWhenItsWaitIsOver) {
  Start(BatchQueue("{ size: 100, wait: 50ms }"));
  ASSERT_EQ(Post(services_->port("orders"), "/orders"), 200u);
  ASSERT_EQ(Post(services_->port("orders"), "/orders"), 200u);
  Traces();
  std::size_t messages = 0;
  const auto consumers = OfKind(truth_.Snapshot(), SpanKind::kConsumer);
  ASSERT_GE(consumers.size(), 1u);
  for (const auto& c : consumers) messages += c.batch.size();
  EXPECT_EQ(messages, 2u) << "both messages processed, though the batch never filled";
}

TEST_F(MockServicesTest, NackFirstProcessesTheMessageTwiceThenAcksIt) {
  Start(Queue(false) + R"(
faults:
  - { service: fulfilment, nack_first: true }
)");
  ASSERT_EQ(Post(services_->port("orders"), "/orders"), 200u);
  Traces();
  const auto truth = truth_.Snapshot();
  const auto producers = OfKind(truth, SpanKind::kProducer);
  const auto consumers = OfKind(truth, SpanKind::kConsumer);
  ASSERT_EQ(producers.size(), 1u);
  ASSERT_EQ(consumers.size(), 2u) << "two process spans for one message";
  const GroundTruthSpan& first = consumers[0].redelivered ? consumers[1] : consumers[0];
  const GroundTruthSpan& again = consumers[0].redelivered ? consumers[0] : consumers[1];
  EXPECT_TRUE(first.nacked);
  EXPECT_FALSE(first.redelivered);
  EXPECT_EQ(first.status, StatusCode::kError);
  EXPECT_EQ(first.faults, std::vector<std::string>{"nack_first"});
  EXPECT_TRUE(again.redelivered);
  EXPECT_FALSE(again.nacked) << "only the first delivery is nacked";
  for (const auto& c : consumers) EXPECT_EQ(c.parent_span_id, producers[0].span_id);
  EXPECT_EQ(services_->stats().messages_redelivered, 1u);
}

TEST_F(MockServicesTest, NackFirstEveryNthNacksExactlyThatShareOfMessages) {
  Start(Queue(false) + R"(
faults:
  - { service: fulfilment, nack_first: { every: 3 } }
)");
  for (int i = 0; i < 6; ++i) ASSERT_EQ(Post(services_->port("orders"), "/orders"), 200u);
  Traces();
  const auto consumers = OfKind(truth_.Snapshot(), SpanKind::kConsumer);
  std::size_t nacked = 0, redelivered = 0;
  for (const auto& c : consumers) {
    nacked += c.nacked ? 1 : 0;
    redelivered += c.redelivered ? 1 : 0;
  }
  EXPECT_EQ(nacked, 2u);
  EXPECT_EQ(redelivered, 2u);
  EXPECT_EQ(consumers.size(), 8u);
}

TEST_F(MockServicesTest, BatchConsumerNacksSomeMessagesAndGetsThemAgain) {
  Start(BatchQueue("{ size: 2, wait: 50ms }") + R"(
faults:
  - { service: fulfilment, nack_first: { every: 2 } }
)");
  for (int i = 0; i < 2; ++i) ASSERT_EQ(Post(services_->port("orders"), "/orders"), 200u);
  Traces();
  std::size_t messages = 0, nacked = 0, redelivered = 0;
  for (const auto& c : OfKind(truth_.Snapshot(), SpanKind::kConsumer)) {
    for (const BatchMessage& m : c.batch) {
      ++messages;
      nacked += m.nacked ? 1 : 0;
      redelivered += m.redelivered ? 1 : 0;
    }
  }
  EXPECT_EQ(messages, 3u) << "two messages, one of them processed twice";
  EXPECT_EQ(nacked, 1u);
  EXPECT_EQ(redelivered, 1u);
}

}  // namespace
}  // namespace traceproof::mock

namespace traceproof::mock {
namespace {

TEST(ExternalServices, CallsGoToTheGivenAddressAndAreNotServed) {
  // `back` is served by a first MockServices; a second one's `front` calls it as external.
  ServiceGraph back = LoadServiceGraph(YAML::Load(R"(
services:
  back: { routes: { "POST /work": [ { work: 1ms } ] } }
)"),
                                       "back.yaml");
  std::string error;
  auto back_services = StartMockServices(back, {}, error);
  ASSERT_TRUE(back_services) << error;
  const std::string yaml = R"(
services:
  front: { routes: { "POST /go": [ { call: back POST /anything } ] } }
  back: { external: "127.0.0.1:)" +
                           std::to_string(back_services->port("back")) + "\" }\n";
  GroundTruthRecorder truth;
  MockServicesOptions o;
  o.ground_truth = &truth;
  auto front = StartMockServices(LoadServiceGraph(YAML::Load(yaml), "front.yaml"), o, error);
  ASSERT_TRUE(front) << error;
  // back has no route POST /anything: the call reaches it and gets its 404, so front fails.
  EXPECT_EQ(Post(front->port("front"), "/go"), 502u);
  EXPECT_EQ(back_services->stats().requests, 1u);
  front->Stop();
  back_services->Stop();
}

TEST(ExternalServices, FaultsOnAnExternalServiceAreRejected) {
  EXPECT_THROW(LoadServiceGraph(YAML::Load(R"(
services:
  front: { routes: { "POST /go": [ { call: back POST /x } ] } }
  back: { external: "127.0.0.1:9" }
faults:
  - { service: back, latency: 1s }
)"),
                                "f.yaml"),
               LoadError);
}

}  // namespace
}  // namespace traceproof::mock
