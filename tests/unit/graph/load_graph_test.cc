// The service-graph loader: a full example lands in the right structure with the documented
// defaults, and every mistake names the exact file:line:col of the offending node plus a hint.
#include "graph/load_graph.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string_view>

namespace traceproof {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Test YAML is written as raw strings that start on the line after `R"(`; dropping that first
// newline makes line 1 of the text line 1 of the document, so positions read off the source.
std::string Yaml(std::string_view text) {
  if (!text.empty() && text.front() == '\n') text.remove_prefix(1);
  return std::string(text);
}

std::string SourceDir() { return TRACEPROOF_SOURCE_DIR; }

ServiceGraph Load(std::string_view text) {
  return LoadServiceGraph(YAML::Load(Yaml(text)), "test.yaml");
}

// The message of the LoadError that loading `text` throws ("" if it loads).
std::string LoadErrorOf(std::string_view text) {
  try {
    Load(text);
  } catch (const LoadError& e) {
    return e.what();
  }
  return "";
}

const Route* FindRoute(const ServiceDef& service, std::string_view method, std::string_view path) {
  for (const Route& r : service.routes)
    if (r.method == method && r.path == path) return &r;
  return nullptr;
}

constexpr std::string_view kFullExample = R"yaml(
scale: 0.1
services:
  gateway:
    client_spans: false
    tracing: true
    port: 0
    routes:
      "POST /checkout":
        - call: auth POST /validate-token
        - call: { to: "orders POST /orders", name: "POST orders", client_span: false }
  orders:
    routes:
      "POST /orders":
        name: create-order
        steps:
          - db:
              statement: "INSERT INTO orders (id) VALUES (?)"
              latency: 8ms
              name: insert-order
          - sleep: 90ms
          - call: payments POST /charge
          - publish: order.created
          - parallel: [ { work: 5ms }, { call: auth POST /validate-token } ]
          - error: { status: 503, message: "upstream down", rate: 5% }
    consumers:
      order.created: { name: "process order.created", link: true, steps: [ { work: 3ms } ] }
  stripe:
    tracing: false
    routes:
      "POST /v1/charges":
        - work: { name: charge, latency: { dist: lognormal, p50: 300ms, p99: 3.9s } }
  auth:
    routes:
      "POST /validate-token": [ { work: 1ms } ]
  payments:
    port: 18080
    routes:
      "POST /charge":
        - db: { statement: "select * from cards where id = ?", system: mysql }
        - call: stripe POST /v1/charges
  fulfilment:
    consumers:
      order.created: [ { publish: { queue: shipping, name: ship } } ]
      shipping: [ { error: 500 } ]
faults:
  - { service: stripe, latency: { dist: lognormal, p50: 390ms, p99: 600ms } }
  - { service: stripe, route: "POST /v1/charges", error: { status: 503, message: "x" }, rate: 5% }
  - { service: orders, drop_traceparent: true, to: payments }
  - { service: orders, timeout: 30s }
  - { service: orders, reset: true, rate: 1% }
  - { service: orders, strip_queue_headers: true }
  - { service: fulfilment, detached_span: true }
  - { service: gateway, high_cardinality: true }
  - { service: payments, clock_skew: -50ms }
  - { service: payments, exporter_outage: true, from: 5s, until: 10s }
  - { service: auth, timeout: true }
)yaml";

TEST(LoadServiceGraph, FullExampleLoadsServicesInOrderWithTheirOptions) {
  const ServiceGraph g = Load(kFullExample);
  EXPECT_DOUBLE_EQ(g.scale, 0.1);
  ASSERT_EQ(g.services.size(), 6u);
  std::vector<std::string> names;
  for (const auto& s : g.services) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"gateway", "orders", "stripe", "auth", "payments",
                                             "fulfilment"}));
  const ServiceDef& gateway = g.services[0];
  EXPECT_FALSE(gateway.client_spans);
  EXPECT_TRUE(gateway.tracing);
  EXPECT_EQ(gateway.pos.file, "test.yaml");
  EXPECT_EQ(gateway.pos.line, 3);
  EXPECT_EQ(gateway.pos.column, 3);
  EXPECT_FALSE(g.Find("stripe")->tracing);
  EXPECT_TRUE(g.Find("auth")->tracing);
  EXPECT_TRUE(g.Find("auth")->client_spans);
  EXPECT_EQ(g.Find("auth")->port, 0);
  EXPECT_EQ(g.Find("payments")->port, 18080);
}

TEST(LoadServiceGraph, CallStepsParseTheTargetAndDefaultTheirSpanNameAndClientSpan) {
  const ServiceGraph g = Load(kFullExample);
  const Route* checkout = FindRoute(g.services[0], "POST", "/checkout");
  ASSERT_NE(checkout, nullptr);
  EXPECT_EQ(checkout->span_name, "POST /checkout");
  EXPECT_EQ(checkout->pos.line, 8);
  EXPECT_EQ(checkout->pos.column, 7);
  ASSERT_EQ(checkout->steps.size(), 2u);
  const Step& auth = checkout->steps[0];
  EXPECT_EQ(auth.kind, Step::Kind::kCall);
  EXPECT_EQ(auth.service, "auth");
  EXPECT_EQ(auth.method, "POST");
  EXPECT_EQ(auth.path, "/validate-token");
  EXPECT_EQ(auth.name, "POST auth");
  EXPECT_FALSE(auth.client_span) << "inherits the service's client_spans: false";
  EXPECT_EQ(auth.pos.line, 9);
  EXPECT_EQ(auth.pos.column, 11);
  const Step& orders = checkout->steps[1];
  EXPECT_EQ(orders.service, "orders");
  EXPECT_EQ(orders.path, "/orders");
  EXPECT_EQ(orders.name, "POST orders");
  // orders does not set client_spans, so its calls get client spans.
  const Step& charge = g.Find("orders")->routes[0].steps[2];
  EXPECT_EQ(charge.kind, Step::Kind::kCall);
  EXPECT_EQ(charge.name, "POST payments");
  EXPECT_TRUE(charge.client_span);
}

TEST(LoadServiceGraph, EveryStepKindLandsWithItsFieldsAndDefaults) {
  const ServiceGraph g = Load(kFullExample);
  const Route& route = g.Find("orders")->routes.at(0);
  EXPECT_EQ(route.span_name, "create-order");
  ASSERT_EQ(route.steps.size(), 6u);

  const Step& db = route.steps[0];
  EXPECT_EQ(db.kind, Step::Kind::kDb);
  EXPECT_EQ(db.name, "insert-order");
  EXPECT_EQ(db.statement, "INSERT INTO orders (id) VALUES (?)");
  EXPECT_EQ(db.db_system, "postgresql");
  EXPECT_EQ(db.latency.dist, Latency::Dist::kFixed);
  EXPECT_EQ(db.latency.a, milliseconds(8));
  EXPECT_EQ(db.pos.line, 16);
  EXPECT_EQ(db.pos.column, 13);

  EXPECT_EQ(route.steps[1].kind, Step::Kind::kSleep);
  EXPECT_EQ(route.steps[1].latency.a, milliseconds(90));

  const Step& publish = route.steps[3];
  EXPECT_EQ(publish.kind, Step::Kind::kPublish);
  EXPECT_EQ(publish.queue, "order.created");
  EXPECT_EQ(publish.name, "publish order.created");

  const Step& parallel = route.steps[4];
  EXPECT_EQ(parallel.kind, Step::Kind::kParallel);
  ASSERT_EQ(parallel.steps.size(), 2u);
  EXPECT_EQ(parallel.steps[0].kind, Step::Kind::kWork);
  EXPECT_EQ(parallel.steps[0].name, "work");
  EXPECT_EQ(parallel.steps[0].latency.a, milliseconds(5));
  EXPECT_EQ(parallel.steps[1].service, "auth");
  EXPECT_EQ(parallel.steps[1].pos.line, 23);
  EXPECT_EQ(parallel.steps[1].pos.column, 40);

  const Step& error = route.steps[5];
  EXPECT_EQ(error.kind, Step::Kind::kError);
  EXPECT_EQ(error.http_status, 503);
  EXPECT_EQ(error.message, "upstream down");
  EXPECT_DOUBLE_EQ(error.rate, 0.05);

  const Step& work = g.Find("stripe")->routes.at(0).steps.at(0);
  EXPECT_EQ(work.name, "charge");
  EXPECT_EQ(work.latency.dist, Latency::Dist::kLognormal);
  EXPECT_EQ(work.latency.a, milliseconds(300));
  EXPECT_EQ(work.latency.b, milliseconds(3900));

  const Route& charge = g.Find("payments")->routes.at(0);
  EXPECT_EQ(charge.steps.at(0).name, "select cards") << "the statement's first word + table";
  EXPECT_EQ(charge.steps.at(0).latency.a, Nanos(0));
}

TEST(LoadServiceGraph, ConsumersTakeTheQueueFromTheKeyAndDefaultNameAndLink) {
  const ServiceGraph g = Load(kFullExample);
  const ServiceDef& orders = *g.Find("orders");
  ASSERT_EQ(orders.consumers.size(), 1u);
  EXPECT_EQ(orders.consumers[0].queue, "order.created");
  EXPECT_EQ(orders.consumers[0].span_name, "process order.created");
  EXPECT_TRUE(orders.consumers[0].link);
  ASSERT_EQ(orders.consumers[0].steps.size(), 1u);
  EXPECT_EQ(orders.consumers[0].steps[0].latency.a, milliseconds(3));

  const ServiceDef& fulfilment = *g.Find("fulfilment");
  ASSERT_EQ(fulfilment.consumers.size(), 2u);
  const Consumer& created = fulfilment.consumers[0];
  EXPECT_EQ(created.span_name, "process order.created");
  EXPECT_FALSE(created.link);
  EXPECT_EQ(created.pos.line, 43);
  EXPECT_EQ(created.pos.column, 7);
  EXPECT_EQ(created.steps.at(0).queue, "shipping");
  EXPECT_EQ(created.steps.at(0).name, "ship");
  const Step& error = fulfilment.consumers[1].steps.at(0);
  EXPECT_EQ(error.http_status, 500);
  EXPECT_EQ(error.message, "injected error");
  EXPECT_DOUBLE_EQ(error.rate, 1.0);
}

TEST(LoadServiceGraph, BatchConsumersLinkAndTakeASizeAndAWait) {
  const ServiceGraph g = Load(R"(
services:
  orders:
    routes: { "POST /a": [ { publish: a }, { publish: b }, { publish: c } ] }
    consumers:
      a: { batch: 10, steps: [ { work: 1ms } ] }
      b: { batch: { size: 3, wait: 20ms }, link: true, steps: [ { work: 1ms } ] }
      c: [ { work: 1ms } ]
faults:
  - { service: orders, nack_first: true, rate: 20% }
  - { service: orders, nack_first: { every: 4 } }
)");
  const auto& consumers = g.services.at(0).consumers;
  ASSERT_EQ(consumers.size(), 3u);
  EXPECT_EQ(consumers[0].batch_size, 10u);
  EXPECT_EQ(consumers[0].batch_wait, milliseconds(100)) << "the default wait";
  EXPECT_TRUE(consumers[0].link) << "a batch always links";
  EXPECT_EQ(consumers[1].batch_size, 3u);
  EXPECT_EQ(consumers[1].batch_wait, milliseconds(20));
  EXPECT_EQ(consumers[2].batch_size, 0u);
  EXPECT_FALSE(consumers[2].link);
  ASSERT_EQ(g.faults.size(), 2u);
  EXPECT_EQ(g.faults[0].kind, Fault::Kind::kNackFirst);
  EXPECT_EQ(g.faults[0].nack_every, 0u);
  EXPECT_DOUBLE_EQ(g.faults[0].rate, 0.2);
  EXPECT_EQ(g.faults[1].kind, Fault::Kind::kNackFirst);
  EXPECT_EQ(g.faults[1].nack_every, 4u);
}

TEST(LoadServiceGraph, FaultsCarryTheirKindTargetRateAndWindow) {
  const ServiceGraph g = Load(kFullExample);
  ASSERT_EQ(g.faults.size(), 11u);
  const std::vector<Fault::Kind> kinds = {
      Fault::Kind::kLatency,        Fault::Kind::kError,           Fault::Kind::kDropTraceparent,
      Fault::Kind::kTimeout,        Fault::Kind::kReset,           Fault::Kind::kStripQueueHeaders,
      Fault::Kind::kDetachedSpan,   Fault::Kind::kHighCardinality, Fault::Kind::kClockSkew,
      Fault::Kind::kExporterOutage, Fault::Kind::kTimeout};
  for (std::size_t i = 0; i < kinds.size(); ++i) EXPECT_EQ(g.faults[i].kind, kinds[i]) << i;

  EXPECT_EQ(g.faults[0].service, "stripe");
  EXPECT_EQ(g.faults[0].latency.dist, Latency::Dist::kLognormal);
  EXPECT_EQ(g.faults[0].latency.a, milliseconds(390));
  EXPECT_EQ(g.faults[0].latency.b, milliseconds(600));
  EXPECT_EQ(g.faults[0].pos.line, 46);
  EXPECT_EQ(g.faults[0].pos.column, 5);

  EXPECT_EQ(g.faults[1].route, "POST /v1/charges");
  EXPECT_EQ(g.faults[1].http_status, 503);
  EXPECT_EQ(g.faults[1].message, "x");
  EXPECT_DOUBLE_EQ(g.faults[1].rate, 0.05);

  EXPECT_EQ(g.faults[2].to, "payments");
  EXPECT_TRUE(g.faults[2].route.empty());
  EXPECT_DOUBLE_EQ(g.faults[2].rate, 1.0);
  EXPECT_EQ(g.faults[3].latency.a, seconds(30));
  EXPECT_DOUBLE_EQ(g.faults[4].rate, 0.01);
  EXPECT_EQ(g.faults[8].skew, milliseconds(-50));
  EXPECT_FALSE(g.faults[8].from.has_value());
  EXPECT_EQ(g.faults[9].from, seconds(5));
  EXPECT_EQ(g.faults[9].until, seconds(10));
  EXPECT_EQ(g.faults[10].latency.a, seconds(30)) << "timeout: true means 30 s";
}

TEST(LoadServiceGraph, EveryPresetLoads) {
  for (const char* name : {"seed-checkout", "checkout-baseline", "checkout-queue"}) {
    const std::string path = SourceDir() + "/mock_services/presets/" + name + ".yaml";
    EXPECT_NO_THROW(LoadServiceGraphFile(path)) << path;
  }
}

TEST(LoadServiceGraph, SeedPresetKeepsItsExplicitNamesAndClientSpanSettings) {
  const ServiceGraph g =
      LoadServiceGraphFile(SourceDir() + "/mock_services/presets/seed-checkout.yaml");
  const Step& call = g.Find("payments")->routes.at(0).steps.at(1);
  EXPECT_EQ(call.name, "POST stripe");
  EXPECT_TRUE(call.client_span);
  EXPECT_FALSE(g.Find("orders")->routes.at(0).steps.at(3).client_span);
}

TEST(LoadServiceGraphFile, MissingFileIsALoadErrorWithoutAPosition) {
  try {
    LoadServiceGraphFile("/nonexistent/services.yaml");
    FAIL() << "no error";
  } catch (const LoadError& e) {
    EXPECT_EQ(e.pos().line, 0);
    EXPECT_EQ(e.pos().column, 0);
    EXPECT_EQ(std::string(e.what()).rfind("/nonexistent/services.yaml:0:0: cannot read", 0), 0u)
        << e.what();
  }
}

// Found by fuzz_services_yaml: an empty document's error named no place (0:0).
TEST(LoadServiceGraph, AnEmptyDocumentIsAnErrorAtTheStartOfTheFile) {
  try {
    LoadServiceGraph(YAML::Load(""), "empty.yaml");
    FAIL() << "no error";
  } catch (const LoadError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("empty.yaml:1:1: want a map for the top level", 0), 0u)
        << e.what();
  }
}

TEST(LoadServiceGraphFile, YamlSyntaxErrorPointsAtTheOffendingToken) {
  const std::string path = ::testing::TempDir() + "load_services_syntax.yaml";
  std::ofstream(path) << "services:\n  orders: 1\n   tracing: false\n";
  try {
    LoadServiceGraphFile(path);
    FAIL() << "no error";
  } catch (const LoadError& e) {
    EXPECT_EQ(std::string(e.what()), path + ":3:11: bad YAML: illegal map value");
  }
  std::remove(path.c_str());
}

TEST(LoadServiceGraph, UnknownKeyNamesTheExpectedKeysAndTheClosestOne) {
  EXPECT_EQ(LoadErrorOf(R"(
services:
  orders:
    routes:
      "POST /orders":
        - db: { statement: "SELECT 1", latencyy: 8ms }
)"),
            "test.yaml:5:40: unknown key 'latencyy' in step 'db'; expected one of: "
            "latency, name, "
            "statement, system (did you mean 'latency'?)");
}

TEST(LoadServiceGraph, BadDurationSaysWhatADurationLooksLike) {
  EXPECT_EQ(LoadErrorOf(R"(
services:
  orders:
    routes:
      "POST /orders":
        - sleep: 12 parsecs
)"),
            "test.yaml:5:18: bad duration '12 parsecs': want a number with a unit (ns, "
            "us, ms, s, "
            "m), e.g. 250ms");
}

constexpr const char* kOrders = R"(
services:
  orders:
    routes:
      "POST /orders":
)";

constexpr const char* kOrdersWithFaults = R"(
services:
  orders:
    routes:
      "POST /orders": [ { work: 1ms } ]
faults:
)";

struct Mistake {
  const char* name;
  const char* base;  // the document the `yaml` lines are appended to
  const char* yaml;
  const char* position;  // "line:col"
  const char* phrase;    // part of the message
};

// Each case is one mistake: its lines appended to kOrders (line 5 on) or
// kOrdersWithFaults (line 6).
const Mistake kMistakes[] = {
    {"NegativeLatency", kOrders, "        - work: -5ms\n", "5:17", "negative latency '-5ms'"},
    {"RateAbove100Percent", kOrders, "        - error: { status: 503, rate: 150% }\n", "5:39",
     "bad rate '150%'"},
    {"StepWithTwoKinds", kOrders, "        - { work: 1ms, sleep: 2ms }\n", "5:24",
     "step has two kinds, 'work' and 'sleep'"},
    {"StepWithNoKind", kOrders, "        - {}\n", "5:11", "step has no kind"},
    {"MisspelledStepKind", kOrders, "        - wrok: 1ms\n", "5:11",
     "unknown key 'wrok' in step; expected one of: call, db, error, parallel, publish, "
     "sleep, "
     "work (did you mean 'work'?)"},
    {"UniformMinAboveMax", kOrders, "        - sleep: { dist: uniform, min: 10ms, max: 5ms }\n",
     "5:51", "uniform max (5ms) is less than min (10ms)"},
    {"LognormalP99BelowP50", kOrders,
     "        - sleep: { dist: lognormal, p50: 20ms, p99: 10ms }\n", "5:53",
     "lognormal p99 (10ms) is less than p50 (20ms)"},
    {"UnknownDistribution", kOrders, "        - sleep: { dist: lognorm, p50: 1ms, p99: 2ms }\n",
     "5:26",
     "unknown dist 'lognorm'; expected one of: fixed, lognormal, normal, uniform (did "
     "you mean "
     "'lognormal'?)"},
    {"CallWithoutMethodAndPath", kOrders, "        - call: payments\n", "5:17",
     "bad call 'payments'"},
    {"DbWithoutStatement", kOrders, "        - db: { latency: 1ms }\n", "5:15",
     "needs 'statement'"},
    {"EmptyParallel", kOrders, "        - parallel: []\n", "5:21",
     "parallel needs at least one step"},
    {"StepsGivenAsAMap", kOrders, "        name: create-order\n        steps: { work: 1ms }\n",
     "6:16", "want a list of steps for 'steps', got a map"},
    {"FaultWithTwoKinds", kOrdersWithFaults, "  - { service: orders, reset: true, latency: 5ms }\n",
     "6:37", "fault has two kinds, 'reset' and 'latency'"},
    {"FaultWithNoKind", kOrdersWithFaults, "  - { service: orders, rate: 5% }\n", "6:5",
     "fault has no kind"},
    {"SwitchedOffFault", kOrdersWithFaults, "  - { service: orders, drop_traceparent: false }\n",
     "6:42", "remove the fault instead"},
    {"UnknownFaultService", kOrdersWithFaults, "  - { service: ordrs, reset: true }\n", "6:5",
     "fault names unknown service 'ordrs'; services are: orders (did you mean "
     "'orders'?)"},
    {"UnknownFaultRoute", kOrdersWithFaults,
     "  - { service: orders, route: \"POST /order\", reset: true }\n", "6:5",
     "service 'orders' has no route 'POST /order'; its routes are: POST /orders (did you "
     "mean "
     "'POST /orders'?)"},
    {"ToOnANonDropFault", kOrdersWithFaults, "  - { service: orders, reset: true, to: payments }\n",
     "6:37", "'to' applies only to drop_traceparent faults"},
    {"UnknownToService", kOrdersWithFaults,
     "  - { service: orders, drop_traceparent: true, to: paymnts }\n", "6:5",
     "fault 'to' names unknown service 'paymnts'"},
    {"WindowEndsBeforeItStarts", kOrdersWithFaults,
     "  - { service: orders, exporter_outage: true, from: 10s, until: 5s }\n", "6:65",
     "'until' (5s) is not after 'from' (10s)"},
    {"FaultWithoutService", kOrdersWithFaults, "  - { reset: true }\n", "6:5",
     "fault needs 'service'"},
    {"ErrorStatusOutOfRange", kOrdersWithFaults, "  - { service: orders, error: 700 }\n", "6:31",
     "'error' is 700, want 100..599"},
};

// Whole documents for mistakes that need more than one extra line.
const Mistake kDocuments[] = {
    {"UnknownCallTargetSuggestsTheClosestService", "", R"(
services:
  gateway:
    routes:
      "POST /checkout":
        - call: paymnts POST /charge
  payments:
    routes:
      "POST /charge": [ { work: 1ms } ]
)",
     "5:11",
     "call to unknown service 'paymnts'; services are: gateway, payments (did you mean "
     "'payments'?)"},
    {"CallToARouteTheTargetLacksListsItsRoutes", "", R"(
services:
  gateway:
    routes:
      "POST /checkout":
        - call: payments POST /chrage
  payments:
    routes:
      "POST /charge": [ { work: 1ms } ]
)",
     "5:11",
     "service 'payments' has no route 'POST /chrage'; its routes are: POST /charge (did "
     "you mean "
     "'POST /charge'?)"},
    {"CallCycleThroughParallelIsNamedHopByHop", "", R"(
services:
  gateway:
    routes:
      "POST /a":
        - call: orders POST /b
  orders:
    routes:
      "POST /b":
        - parallel: [ { work: 1ms }, { call: gateway POST /a } ]
)",
     "9:38", "call cycle: gateway POST /a -> orders POST /b -> gateway POST /a"},
    {"RouteKeyWithoutAPath", "", R"(
services:
  orders:
    routes:
      POST: [ { work: 1ms } ]
)",
     "4:7", "route key 'POST' has no path"},
    {"LowercaseMethod", "", R"(
services:
  orders:
    routes:
      post /orders: [ { work: 1ms } ]
)",
     "4:7", "bad method 'post' in route key 'post /orders'"},
    {"ServiceThatIsNotAMap", "", R"(
services:
  orders: yes please
)",
     "2:11", "want a map for service 'orders'"},
    {"ConsumerOfAQueueNobodyPublishes", "", R"(
services:
  orders:
    routes:
      "POST /orders":
        - publish: order.created
  fulfilment:
    consumers:
      order.created: [ { work: 1ms } ]
      order.cancelled: [ { work: 1ms } ]
)",
     "9:7",
     "consumer of queue 'order.cancelled', but no step publishes to it; published queues "
     "are: "
     "order.created"},
    {"MissingServicesKey", "", R"(
scale: 0.5
)",
     "1:1", "missing 'services:'"},
    {"MisspelledTopLevelKey", "", R"(
servics:
  orders: {}
)",
     "1:1",
     "unknown key 'servics' at the top level; expected one of: faults, scale, services "
     "(did you "
     "mean 'services'?)"},
    {"ServiceWithNothingToServe", "", R"(
services:
  orders:
    routes:
      "POST /orders": [ { work: 1ms } ]
  audit:
    tracing: false
)",
     "5:3", "service 'audit' has no routes and no consumers"},
    {"ServiceDefinedTwice", "", R"(
services:
  orders:
    routes: { "POST /a": [] }
  orders:
    routes: { "POST /b": [] }
)",
     "4:3", "duplicate 'orders' (first at line 2)"},
    {"PortOutOfRange", "", R"(
services:
  orders:
    port: 70000
    routes: { "POST /a": [] }
)",
     "3:11", "'port' is 70000, want 0..65535"},
    {"NotABoolean", "", R"(
services:
  orders:
    tracing: maybe
    routes: { "POST /a": [] }
)",
     "3:14", "want true or false for 'tracing', got 'maybe'"},
    {"ZeroScale", "", R"(
scale: 0
services:
  orders:
    routes: { "POST /a": [] }
)",
     "1:8", "'scale' must be > 0"},
    {"ZeroBatch", "", R"(
services:
  orders:
    routes: { "POST /a": [ { publish: q } ] }
    consumers:
      q: { batch: 0, steps: [ { work: 1ms } ] }
)",
     "5:19", "'batch' is 0, want 1..65535"},
    {"BatchWithoutSize", "", R"(
services:
  orders:
    routes: { "POST /a": [ { publish: q } ] }
    consumers:
      q: { batch: { wait: 5ms }, steps: [ { work: 1ms } ] }
)",
     "5:19", "batch needs 'size'"},
    {"BatchWithZeroWait", "", R"(
services:
  orders:
    routes: { "POST /a": [ { publish: q } ] }
    consumers:
      q: { batch: { size: 5, wait: 0 }, steps: [ { work: 1ms } ] }
)",
     "5:36", "a batch wait of 0 never gathers a batch"},
    {"BatchWithUnknownKey", "", R"(
services:
  orders:
    routes: { "POST /a": [ { publish: q } ] }
    consumers:
      q: { batch: { size: 5, max_wait: 5ms }, steps: [ { work: 1ms } ] }
)",
     "5:30", "unknown key 'max_wait' in batch; expected one of: size, wait"},
    {"BatchAsChildOfEachProducer", "", R"(
services:
  orders:
    routes: { "POST /a": [ { publish: q } ] }
    consumers:
      q: { batch: 5, link: false, steps: [ { work: 1ms } ] }
)",
     "5:28", "cannot be the child of each producer"},
    {"NackFirstSwitchedOff", "", R"(
services:
  orders:
    routes: { "POST /a": [ { publish: q } ] }
    consumers: { q: [ { work: 1ms } ] }
faults:
  - { service: orders, nack_first: false }
)",
     "6:36", "remove the fault instead"},
    {"NackFirstEveryZero", "", R"(
services:
  orders:
    routes: { "POST /a": [ { publish: q } ] }
    consumers: { q: [ { work: 1ms } ] }
faults:
  - { service: orders, nack_first: { every: 0 } }
)",
     "6:45", "'every' is 0, want 1..1000000"},
    {"NackFirstOnAServiceWithoutConsumers", "", R"(
services:
  orders:
    routes: { "POST /a": [ { publish: q } ] }
  fulfilment:
    consumers: { q: [ { work: 1ms } ] }
faults:
  - { service: orders, nack_first: true }
)",
     "7:5", "nack_first applies to a service's queue consumers, and 'orders' has none"},
    {"NackFirstOnARoute", "", R"(
services:
  orders:
    routes: { "POST /a": [ { publish: q } ] }
    consumers: { q: [ { work: 1ms } ] }
faults:
  - { service: orders, route: "POST /a", nack_first: true }
)",
     "6:5", "not to a route"},
};

class LoadMistakes : public ::testing::TestWithParam<Mistake> {};

TEST_P(LoadMistakes, AreReportedAtTheOffendingNode) {
  const Mistake& m = GetParam();
  const std::string message = LoadErrorOf(std::string(m.base) + m.yaml);
  const std::string prefix = std::string("test.yaml:") + m.position + ": ";
  EXPECT_EQ(message.rfind(prefix, 0), 0u) << "want prefix " << prefix << "\ngot: " << message;
  EXPECT_NE(message.find(m.phrase), std::string::npos)
      << "want: " << m.phrase << "\ngot: " << message;
}

std::string MistakeName(const ::testing::TestParamInfo<Mistake>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(LoadOneLine, LoadMistakes, ::testing::ValuesIn(kMistakes), MistakeName);
INSTANTIATE_TEST_SUITE_P(LoadDocument, LoadMistakes, ::testing::ValuesIn(kDocuments), MistakeName);

TEST(LoadServiceGraph, LoadErrorCarriesThePosition) {
  try {
    Load(std::string(kOrders) + "        - work: -5ms\n");
    FAIL() << "no error";
  } catch (const LoadError& e) {
    EXPECT_EQ(e.pos().file, "test.yaml");
    EXPECT_EQ(e.pos().line, 5);
    EXPECT_EQ(e.pos().column, 17);
  }
}

TEST(LoadServiceGraph, DbSpanNameFallsBackToTheFirstWordWithoutATable) {
  const ServiceGraph g = Load(R"(
services:
  orders:
    routes:
      "POST /orders":
        - db: { statement: "BEGIN" }
        - db: { statement: "UPDATE inventory SET n = n - 1", system: mysql }
        - db: { statement: "SELECT o.id FROM orders o JOIN items i ON i.order_id = o.id" }
)");
  const auto& steps = g.services[0].routes[0].steps;
  EXPECT_EQ(steps[0].name, "BEGIN");
  EXPECT_EQ(steps[1].name, "UPDATE inventory");
  EXPECT_EQ(steps[1].db_system, "mysql");
  EXPECT_EQ(steps[2].name, "SELECT orders");
}

TEST(LoadServiceGraph, ParseFaultsAcceptsAStandaloneList) {
  const std::vector<Fault> faults = ParseFaults(
      YAML::Load("- { service: a, latency: { value: 5ms, spike: { every: 10, add: 1s } } }"),
      "scenario.yaml");
  ASSERT_EQ(faults.size(), 1u);
  EXPECT_EQ(faults[0].latency.a, std::chrono::milliseconds(5));
  EXPECT_EQ(faults[0].latency.spike_every, 10u);
  EXPECT_EQ(faults[0].latency.spike_add, seconds(1));
  EXPECT_EQ(faults[0].pos.file, "scenario.yaml");
  EXPECT_EQ(faults[0].pos.line, 1);
}

TEST(LatencySpec, EveryDistributionParsesItsTwoParameters) {
  auto parse = [](const char* yaml) { return ParseLatency(YAML::Load(yaml), "x.yaml"); };
  Latency fixed = parse("{ dist: fixed, value: 7ms }");
  EXPECT_EQ(fixed.dist, Latency::Dist::kFixed);
  EXPECT_EQ(fixed.a, milliseconds(7));
  Latency uniform = parse("{ dist: uniform, min: 1ms, max: 3ms }");
  EXPECT_EQ(uniform.dist, Latency::Dist::kUniform);
  EXPECT_EQ(uniform.a, milliseconds(1));
  EXPECT_EQ(uniform.b, milliseconds(3));
  Latency normal = parse("{ dist: normal, mean: 10ms, stddev: 2ms, spike: { every: 5, add: 1s } }");
  EXPECT_EQ(normal.dist, Latency::Dist::kNormal);
  EXPECT_EQ(normal.a, milliseconds(10));
  EXPECT_EQ(normal.b, milliseconds(2));
  EXPECT_EQ(normal.spike_every, 5u);
  EXPECT_EQ(normal.spike_add, seconds(1));
  Latency lognormal = parse("{ dist: lognormal, p50: 2ms, p99: 8ms }");
  EXPECT_EQ(lognormal.dist, Latency::Dist::kLognormal);
  EXPECT_EQ(lognormal.b, milliseconds(8));
  EXPECT_EQ(parse("250us").a, std::chrono::microseconds(250));
}

TEST(LatencySpec, ParametersOfAnotherDistributionAreUnknownKeys) {
  try {
    ParseLatency(YAML::Load("{ dist: uniform, min: 1ms, p99: 3ms }"), "x.yaml");
    FAIL() << "no error";
  } catch (const LoadError& e) {
    EXPECT_STREQ(e.what(),
                 "x.yaml:1:28: unknown key 'p99' in latency 'uniform'; expected one of: "
                 "dist, max, "
                 "min, spike");
  }
}

TEST(LatencySpec, SpikeEveryMustBeAPositiveCount) {
  EXPECT_THROW(ParseLatency(YAML::Load("{ value: 1ms, spike: { every: 0, add: 1s } }"), "x"),
               LoadError);
  EXPECT_THROW(ParseLatency(YAML::Load("{ value: 1ms, spike: { every: 2 } }"), "x"), LoadError);
}

}  // namespace
}  // namespace traceproof
