// How long a run's checks keep what they hold of completed traces (run/forget_windows.h): twice
// the truth joiner's bound, at least 30 s; and the sink facts to the end whenever requests come
// out only at the end (queue publishers, witnesses, services elsewhere), or a long run of those
// would count every span lost and miss a request's second root.
#include "run/forget_windows.h"

#include <gtest/gtest.h>

namespace traceproof {
namespace {

using namespace std::chrono_literals;

Scenario Checkout() {
  Scenario s;
  ServiceDef gateway;
  gateway.name = "gateway";
  Route route;
  route.method = "POST";
  route.path = "/checkout";
  Step call;
  call.kind = Step::Kind::kCall;
  call.service = "orders";
  route.steps.push_back(call);
  gateway.routes.push_back(route);
  s.services.services.push_back(gateway);
  return s;
}

TEST(ForgetWindows, TwiceTheJoinersBoundAndAtLeastThirtySeconds) {
  const Scenario s = Checkout();
  ForgetWindows w = ChecksForgetWindows(s, {2s, 15s}, false);
  EXPECT_EQ(w.traces, 34s);
  ASSERT_TRUE(w.sink_traces);
  EXPECT_EQ(*w.sink_traces, 34s);
  w = ChecksForgetWindows(s, {2s, 5s}, false);
  EXPECT_EQ(w.traces, 30s);
}

TEST(ForgetWindows, SinkFactsAreKeptWhenRequestsComeOutAtTheEnd) {
  EXPECT_FALSE(ChecksForgetWindows(Checkout(), {2s, 15s}, /*witnesses=*/true).sink_traces);

  Scenario elsewhere = Checkout();
  elsewhere.external_services = ExternalServicesSpec{};
  EXPECT_FALSE(ChecksForgetWindows(elsewhere, {2s, 15s}, false).sink_traces);

  // A publish nested in a parallel step of a consumer still holds its request to the end.
  Scenario queue = Checkout();
  Step publish;
  publish.kind = Step::Kind::kPublish;
  publish.queue = "order.created";
  Step parallel;
  parallel.kind = Step::Kind::kParallel;
  parallel.steps.push_back(publish);
  Consumer consumer;
  consumer.queue = "order.placed";
  consumer.steps.push_back(parallel);
  queue.services.services[0].consumers.push_back(consumer);
  EXPECT_TRUE(PublishesMessages(queue.services));
  EXPECT_FALSE(ChecksForgetWindows(queue, {2s, 15s}, false).sink_traces);
  EXPECT_FALSE(PublishesMessages(Checkout().services));
  // The structure check's skeletons are forgotten in every case.
  EXPECT_EQ(ChecksForgetWindows(queue, {2s, 15s}, false).traces, 34s);
}

}  // namespace
}  // namespace traceproof
