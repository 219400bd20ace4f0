#include "run/load_plan.h"

#include <gtest/gtest.h>

namespace traceproof {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

LoadEndpoints Endpoints() {
  LoadEndpoints e;
  e.sink_http_port = 4318;
  e.service = [](const std::string& service) {
    return std::pair<std::string, std::uint16_t>(service == "gateway" ? "10.0.0.1" : "10.0.0.2",
                                                 service == "gateway" ? 8080 : 8081);
  };
  return e;
}

TEST(LoadPlan, OneTargetPerPhaseWithItsRouteLimitsAndWhereTheServiceListens) {
  LoadPhase a;
  a.arrival = LoadPhase::Arrival::kConstant;
  a.rate_per_s = 100;
  a.duration = seconds(5);
  a.service = "gateway";
  a.method = "POST";
  a.path = "/checkout";
  a.connections = 3;
  a.timeout = milliseconds(250);
  LoadPhase b = a;
  b.arrival = LoadPhase::Arrival::kRamping;
  b.from_per_s = 10;
  b.to_per_s = 50;
  b.service = "orders";
  b.method = "GET";
  b.path = "/orders";
  b.connections = 0;
  const OpenLoopOptions o = PlanLoad({a, b}, Endpoints(), 2, 64);
  EXPECT_EQ(o.threads, 2);
  EXPECT_EQ(o.connections, 64);
  ASSERT_EQ(o.targets.size(), 2u);
  ASSERT_EQ(o.phases.size(), 2u);
  EXPECT_EQ(o.targets[0].host, "10.0.0.1");
  EXPECT_EQ(o.targets[0].port, 8080);
  EXPECT_EQ(o.targets[0].path, "/checkout");
  EXPECT_EQ(o.targets[0].body, "{}") << "a POST carries a JSON body";
  EXPECT_EQ(o.targets[0].content_type, "application/json");
  EXPECT_EQ(o.targets[0].connections, 3);
  EXPECT_EQ(o.targets[0].timeout, milliseconds(250));
  EXPECT_EQ(o.targets[1].host, "10.0.0.2");
  EXPECT_EQ(o.targets[1].method, "GET");
  EXPECT_TRUE(o.targets[1].body.empty());
  EXPECT_EQ(o.phases[0].target, 0);
  EXPECT_EQ(o.phases[1].target, 1);
  EXPECT_EQ(o.phases[1].duration, seconds(5));
}

TEST(LoadPlan, SpanLoadGoesToTheSinksOtlpHttpReceiver) {
  LoadPhase p;
  p.span_load = true;
  p.rate_per_s = 10;
  p.duration = seconds(1);
  p.spans_per_request = 100;
  p.spans_per_trace = 4;
  const OpenLoopOptions o = PlanLoad({p}, Endpoints(), 1, 8);
  ASSERT_EQ(o.targets.size(), 1u);
  EXPECT_EQ(o.targets[0].port, 4318);
  EXPECT_EQ(o.targets[0].path, "/v1/traces");
  EXPECT_EQ(o.targets[0].span_load_spans, 100);
  EXPECT_EQ(o.targets[0].spans_per_trace, 4);
}

TEST(LoadPlan, AWarmUpOfARampRunsAtItsStartingRateAndAtLeastOnePerSecond) {
  LoadPhase ramp;
  ramp.arrival = LoadPhase::Arrival::kRamping;
  ramp.from_per_s = 0;
  ramp.to_per_s = 100;
  ramp.duration = seconds(30);
  const LoadPhase w = WarmupPhase(ramp, seconds(2));
  EXPECT_EQ(w.arrival, LoadPhase::Arrival::kConstant);
  EXPECT_EQ(w.rate_per_s, 1.0);
  EXPECT_EQ(w.duration, seconds(2));
  ramp.from_per_s = 20;
  EXPECT_EQ(WarmupPhase(ramp, seconds(2)).rate_per_s, 20.0);
  LoadPhase constant;
  constant.rate_per_s = 40;
  EXPECT_EQ(WarmupPhase(constant, seconds(1)).rate_per_s, 40.0);
  EXPECT_DOUBLE_EQ(TotalSeconds({ramp, constant}), 30.0);
}

}  // namespace
}  // namespace traceproof
