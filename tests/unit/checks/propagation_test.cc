#include <gtest/gtest.h>

#include "checks/check_test_util.h"
#include "checks/run_data_builder.h"

namespace traceproof {
namespace {

using testing::CheckFromYaml;
using testing::LoadErrorOf;
using testing::RunDataBuilder;

// gateway SERVER -> gateway CLIENT -> orders SERVER. With `broken`, the traceparent was dropped:
// orders starts a new trace (same request) whose root should have been the gateway's client span.
void AddRequest(RunDataBuilder& b, bool broken, const std::string& state = "") {
  const int trace = b.NewTrace();
  const int root =
      b.Span("gateway", "GET /checkout").Kind(SpanKind::kServer).Times(0, 100).TraceState(state);
  const int call = b.Span("gateway", "POST orders")
                       .Kind(SpanKind::kClient)
                       .Parent(root)
                       .Times(5, 95)
                       .TraceState(state);
  if (broken) {
    b.NewTrace(b.RequestIdOf(trace));
    b.Span("orders", "POST /orders").Kind(SpanKind::kServer).ExpectedParent(call).Times(6, 94);
  } else {
    b.Span("orders", "POST /orders")
        .Kind(SpanKind::kServer)
        .Parent(call)
        .Times(6, 94)
        .TraceState(state);
  }
}

TEST(PropagationCheck, PassesWhenEveryRequestIsOneTrace) {
  RunDataBuilder b;
  for (int i = 0; i < 5; ++i) AddRequest(b, false);
  const CheckResult r = CheckFromYaml("propagation: {}")->Run(b.Build());
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_EQ(r.label, "broken_traces == 0");
  EXPECT_EQ(r.details["broken_requests"], 0);
  EXPECT_EQ(r.details["requests"], 5);
  EXPECT_TRUE(r.evidence.empty());
}

TEST(PropagationCheck, BlamesTheBrokenEdge) {
  RunDataBuilder b;
  AddRequest(b, false);
  AddRequest(b, true);  // traces 2 (gateway) and 3 (orders)
  AddRequest(b, false);
  AddRequest(b, false);
  const CheckResult r = CheckFromYaml("propagation:")->Run(b.Build());
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("gateway \u2192 orders: 1 broken of 4 requests"), std::string::npos)
      << r.reason;
  EXPECT_NE(r.reason.find("1 of 4 requests broken"), std::string::npos) << r.reason;
  EXPECT_EQ(r.details["broken_requests"], 1);
  // The new trace the child started, then the one it should have joined.
  ASSERT_GE(r.evidence.size(), 2u);
  EXPECT_EQ(r.evidence[0], RunDataBuilder::TraceIdOf(3).Hex());
  EXPECT_EQ(r.evidence[1], RunDataBuilder::TraceIdOf(2).Hex());
}

TEST(PropagationCheck, PercentageToleratesSomeBrokenRequests) {
  RunDataBuilder b;
  AddRequest(b, true);
  for (int i = 0; i < 19; ++i) AddRequest(b, false);
  const RunData data = b.Build();
  EXPECT_TRUE(CheckFromYaml("propagation: {broken_traces: '<= 5%'}")->Run(data).passed);
  EXPECT_FALSE(CheckFromYaml("propagation: {broken_traces: '< 5%'}")->Run(data).passed);
}

TEST(PropagationCheck, SeveralRootsInTheSinkBreakARequest) {
  // Same trace id, but the child was emitted without a parent: two roots for one request.
  RunDataBuilder b;
  b.NewTrace();
  const int root = b.Span("gateway", "GET /").Kind(SpanKind::kServer).Times(0, 10);
  b.Span("gateway", "flush").Kind(SpanKind::kInternal).ExpectedParent(root).Times(1, 2);
  const CheckResult r = CheckFromYaml("propagation: {}")->Run(b.Build());
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("gateway \u2192 gateway: 1 broken of 1 requests"), std::string::npos)
      << r.reason;
}

TEST(PropagationCheck, DetachedAsyncSpans) {
  RunDataBuilder b;
  for (int i = 0; i < 4; ++i) {
    const int trace = b.NewTrace();
    const int root = b.Span("orders", "POST /orders").Kind(SpanKind::kServer).Times(0, 10);
    const int publish =
        b.Span("orders", "publish").Kind(SpanKind::kProducer).Parent(root).Times(1, 2);
    if (i == 0) {
      b.NewTrace(b.RequestIdOf(trace));
      b.Span("mailer", "process").Kind(SpanKind::kConsumer).ExpectedParent(publish).Times(20, 30);
    } else {
      b.Span("mailer", "process").Kind(SpanKind::kConsumer).Parent(publish).Times(20, 30);
    }
  }
  // One detached span out of 8 spans that should have had a parent.
  const RunData data = b.Build();
  CheckResult r =
      CheckFromYaml("propagation: {broken_traces: '<= 100%', detached: '== 0'}")->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.details["detached_spans"], 1);
  EXPECT_EQ(r.evidence, std::vector<std::string>{RunDataBuilder::TraceIdOf(2).Hex()});
  EXPECT_TRUE(CheckFromYaml("propagation: {broken_traces: '<= 100%', detached: '<= 12.5%'}")
                  ->Run(data)
                  .passed);
}

TEST(PropagationCheck, DetachedFaultCountsEvenWhenTheSpanIsInternal) {
  RunDataBuilder b;
  const int trace = b.NewTrace();
  const int root = b.Span("orders", "POST /orders").Kind(SpanKind::kServer).Times(0, 10);
  b.NewTrace(b.RequestIdOf(trace));
  b.Span("orders", "audit").Kind(SpanKind::kInternal).ExpectedParent(root).Fault("detached_span");
  const CheckResult r =
      CheckFromYaml("propagation: {broken_traces: '<= 100%', detached: '== 0'}")->Run(b.Build());
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.details["detached_spans"], 1);
}

TEST(PropagationCheck, TracestateMustReachChildren) {
  RunDataBuilder good;
  AddRequest(good, false, "vendor=abc");
  EXPECT_TRUE(CheckFromYaml("propagation: {tracestate: true}")->Run(good.Build()).passed);

  RunDataBuilder bad;
  bad.NewTrace();
  const int root = bad.Span("gateway", "GET /").Kind(SpanKind::kServer).TraceState("vendor=abc");
  bad.Span("orders", "POST /orders").Kind(SpanKind::kServer).Parent(root);
  const CheckResult r = CheckFromYaml("propagation: {tracestate: true}")->Run(bad.Build());
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.details["tracestate_lost"], 1);
  EXPECT_NE(r.reason.find("1 of 1 child spans dropped"), std::string::npos) << r.reason;
}

TEST(PropagationCheck, OptionsAreStrict) {
  EXPECT_NE(LoadErrorOf("propagation: {broken_trace: '== 0'}").find("did you mean 'broken_traces'"),
            std::string::npos);
  EXPECT_NE(LoadErrorOf("propagation: {broken_traces: '< 5ms'}").find("not a duration"),
            std::string::npos);
  EXPECT_NE(LoadErrorOf("propagation: {tracestate: maybe}").find("want true or false"),
            std::string::npos);
}

// A queue's messages reconciled with hand-built ground truth: each producer span is one message,
// each consumer span (child of its producer) one processing of it.
RunData QueueRun() {
  RunDataBuilder b;
  std::vector<int> consumers, redelivered;
  auto message = [&](int processings, StatusCode publish) {
    b.NewTrace();
    const int root = b.Span("orders", "POST /orders").Kind(SpanKind::kServer).Times(0, 50);
    const int producer = b.Span("orders", "publish order.created")
                             .Kind(SpanKind::kProducer)
                             .Status(publish)
                             .Parent(root)
                             .Times(1, 2);
    for (int i = 0; i < processings; ++i) {
      const int c = b.Span("fulfilment", "process order.created")
                        .Kind(SpanKind::kConsumer)
                        .Parent(producer)
                        .Times(10 + 20 * i, 15 + 20 * i);
      consumers.push_back(c);
      if (i > 0) redelivered.push_back(c);
    }
    return producer;
  };
  std::vector<int> producers;
  producers.push_back(message(1, StatusCode::kUnset));  // processed once
  producers.push_back(message(1, StatusCode::kUnset));  // processed once
  producers.push_back(message(2, StatusCode::kUnset));  // redelivered after a restart
  producers.push_back(message(3, StatusCode::kUnset));  // twice redelivered
  producers.push_back(message(0, StatusCode::kUnset));  // confirmed, never processed: lost
  producers.push_back(message(0, StatusCode::kError));  // publish failed, known to the service
  producers.push_back(message(1, StatusCode::kError));  // failed, yet the broker had it
  RunData data = b.Build();
  auto mark = [&](const std::vector<int>& spans, auto&& f) {
    for (GroundTruthSpan& s : data.truth)
      for (int n : spans)
        if (s.span_id == RunDataBuilder::SpanIdOf(n)) f(s);
  };
  mark(producers, [](GroundTruthSpan& s) { s.queue = "order.created"; });
  mark(consumers, [](GroundTruthSpan& s) { s.queue = "order.created"; });
  mark(redelivered, [](GroundTruthSpan& s) { s.redelivered = true; });
  return data;
}

TEST(PropagationCheck, ReconcilesQueueMessagesExactly) {
  const CheckResult r = CheckFromYaml("propagation: {}")->Run(QueueRun());
  EXPECT_TRUE(r.passed) << r.reason;  // losing messages is not a propagation failure by default
  ASSERT_TRUE(r.details.contains("queue_messages")) << r.details.dump();
  const auto& m = r.details["queue_messages"][0];
  EXPECT_EQ(m["queue"], "order.created");
  EXPECT_EQ(m["published"], 7);
  EXPECT_EQ(m["publish_failed"], 2);
  EXPECT_EQ(m["processed_once"], 3);
  EXPECT_EQ(m["processed_more_than_once"], 2);
  EXPECT_EQ(m["never_processed_publish_failed"], 1);
  EXPECT_EQ(m["lost"], 1);
  EXPECT_EQ(m["consumer_spans"], 8);
  EXPECT_EQ(m["deliveries"], 8);
  EXPECT_EQ(m["redelivered_deliveries"], 3);
  EXPECT_EQ(m["nacked_deliveries"], 0);
  EXPECT_EQ(r.details["messages_lost"], 1);
  EXPECT_NE(r.reason.find("order.created: 7 messages published, 3 processed once, 2 processed "
                          "more than once (3 redelivered deliveries), 1 never processed (lost), 2 "
                          "publish failures known to the services (1 of them never processed)"),
            std::string::npos)
      << r.reason;
}

TEST(PropagationCheck, LostMessagesFailWhenBounded) {
  const CheckResult r =
      CheckFromYaml("propagation: { queues: { expect: child, lost: \"== 0\" } }")->Run(QueueRun());
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("1 of 7 messages lost, want lost == 0"), std::string::npos) << r.reason;
  EXPECT_NE(r.label.find("lost messages == 0"), std::string::npos) << r.label;
  EXPECT_EQ(r.evidence.size(), 1u);
  const CheckResult ok =
      CheckFromYaml("propagation: { queues: { lost: \"<= 1\" } }")->Run(QueueRun());
  EXPECT_TRUE(ok.passed) << ok.reason;
}

TEST(PropagationCheck, RedeliveredBoundsTheMessagesProcessedMoreThanOnce) {
  // QueueRun: 7 published, 2 processed more than once.
  EXPECT_TRUE(
      CheckFromYaml("propagation: { queues: { redelivered: \"== 2\" } }")->Run(QueueRun()).passed);
  const CheckResult r =
      CheckFromYaml("propagation: { queues: { redelivered: \"== 0\" } }")->Run(QueueRun());
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("2 of 7 messages processed more than once, want redelivered == 0"),
            std::string::npos)
      << r.reason;
  EXPECT_NE(r.label.find("redelivered messages == 0"), std::string::npos) << r.label;
  EXPECT_EQ(r.details["messages_redelivered"], 2);
  EXPECT_FALSE(
      CheckFromYaml("propagation: { queues: { redelivered: \"< 25%\" } }")->Run(QueueRun()).passed);
  EXPECT_TRUE(CheckFromYaml("propagation: { queues: { redelivered: \"<= 30%\" } }")
                  ->Run(QueueRun())
                  .passed);
  EXPECT_NE(LoadErrorOf("propagation: { queues: { redeliverd: \"== 0\" } }")
                .find("did you mean 'redelivered'"),
            std::string::npos);
}

// Messages each published by its own request; `nacks[i]` is how many deliveries of message i
// were nacked before the last one, which was acked (or, with `acked` false, nacked too).
RunData NackedRun(const std::vector<int>& nacks, bool acked_last = true) {
  RunDataBuilder b;
  std::vector<int> producers, consumers, redelivered, nacked;
  for (int n : nacks) {
    b.NewTrace();
    const int root = b.Span("orders", "POST /orders").Kind(SpanKind::kServer).Times(0, 50);
    producers.push_back(
        b.Span("orders", "publish q").Kind(SpanKind::kProducer).Parent(root).Times(1, 2));
    for (int i = 0; i <= n; ++i) {
      const bool nack = i < n || !acked_last;
      const int c = b.Span("billing", "process q")
                        .Kind(SpanKind::kConsumer)
                        .Parent(producers.back())
                        .Status(nack ? StatusCode::kError : StatusCode::kUnset)
                        .Times(10 + 20 * i, 15 + 20 * i);
      consumers.push_back(c);
      if (i > 0) redelivered.push_back(c);
      if (nack) nacked.push_back(c);
    }
  }
  RunData data = b.Build();
  for (GroundTruthSpan& s : data.truth) {
    auto in = [&s](const std::vector<int>& v) {
      return std::any_of(v.begin(), v.end(),
                         [&s](int n) { return s.span_id == RunDataBuilder::SpanIdOf(n); });
    };
    if (in(producers) || in(consumers)) s.queue = "q";
    s.redelivered = in(redelivered);
    s.nacked = in(nacked);
  }
  return data;
}

TEST(PropagationCheck, ANackedDeliveryProcessedAgainIsOneRedeliveredMessage) {
  const CheckResult r =
      CheckFromYaml("propagation: { queues: { lost: \"== 0\", redelivered: \"== 1\" } }")
          ->Run(NackedRun({0, 1, 0}));
  EXPECT_TRUE(r.passed) << r.reason;
  const auto& m = r.details["queue_messages"][0];
  EXPECT_EQ(m["published"], 3);
  EXPECT_EQ(m["processed_once"], 2);
  EXPECT_EQ(m["processed_more_than_once"], 1);
  EXPECT_EQ(m["nacked_deliveries"], 1);
  EXPECT_EQ(m["redelivered_deliveries"], 1);
  EXPECT_EQ(m["lost"], 0);
}

TEST(PropagationCheck, AMessageWhoseOnlyDeliveryWasNackedIsLost) {
  const CheckResult r = CheckFromYaml("propagation: { queues: { lost: \"== 0\" } }")
                            ->Run(NackedRun({0, 0}, /*acked_last=*/false));
  EXPECT_FALSE(r.passed);
  const auto& m = r.details["queue_messages"][0];
  EXPECT_EQ(m["lost"], 2);
  EXPECT_EQ(m["lost_after_nack"], 2);
  EXPECT_EQ(m["processed_once"], 0);
  EXPECT_NE(r.reason.find("2 never processed (lost, 2 of them nacked and never delivered again)"),
            std::string::npos)
      << r.reason;
}

// Three requests each publish a message; one batch consumer span (its own trace) processes all
// three, linking to the producers of those in `linked` (a message whose headers were lost
// cannot be linked).
RunData BatchRun(const std::vector<bool>& linked, bool redelivered_first = false) {
  RunDataBuilder b;
  std::vector<int> producers;
  for (std::size_t i = 0; i < linked.size(); ++i) {
    b.NewTrace();
    const int root = b.Span("orders", "POST /orders").Kind(SpanKind::kServer).Times(0, 50);
    producers.push_back(
        b.Span("orders", "publish q").Kind(SpanKind::kProducer).Parent(root).Times(1, 2));
  }
  b.NewTrace();
  const int batch = b.Span("billing", "process q").Kind(SpanKind::kConsumer).Times(30, 40);
  b.Span("billing", "charge").Parent(batch).Times(31, 39);
  RunData data = b.Build();
  for (GroundTruthSpan& s : data.truth) {
    for (int p : producers)
      if (s.span_id == RunDataBuilder::SpanIdOf(p)) s.queue = "q";
    if (s.span_id != RunDataBuilder::SpanIdOf(batch)) continue;
    s.queue = "q";
    for (std::size_t i = 0; i < linked.size(); ++i) {
      BatchMessage m;
      m.producer_span_id = RunDataBuilder::SpanIdOf(producers[i]);
      if (linked[i]) m.linked_span_id = m.producer_span_id;
      m.redelivered = redelivered_first && i == 0;
      s.batch.push_back(m);
    }
  }
  return data;
}

TEST(PropagationCheck, ABatchSpanConnectsEachMessageByItsOwnLink) {
  const CheckResult r = CheckFromYaml("propagation: { queues: { expect: link, lost: \"== 0\" } }")
                            ->Run(BatchRun({true, true, true}));
  EXPECT_TRUE(r.passed) << r.reason;
  const auto& edge = r.details["queue_edges"][0];
  EXPECT_EQ(edge["edge"], "orders \u2192 billing via q");
  EXPECT_EQ(edge["deliveries"], 3);
  EXPECT_EQ(edge["by_link"], 3);
  EXPECT_EQ(edge["by_parent"], 0);
  EXPECT_EQ(edge["publish_to_process"]["count"], 3);
  const auto& m = r.details["queue_messages"][0];
  EXPECT_EQ(m["consumer_spans"], 1);
  EXPECT_EQ(m["deliveries"], 3);
  EXPECT_EQ(m["processed_once"], 3);
  EXPECT_EQ(r.details["broken_requests"], 0) << "the batch's own trace is not a broken request";
}

TEST(PropagationCheck, ABatchMessageWithoutItsLinkIsNotConnected) {
  const CheckResult r = CheckFromYaml("propagation: { queues: { expect: link } }")
                            ->Run(BatchRun({true, false, true}));
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("orders \u2192 billing via q: 1 of 3 messages not connected (the "
                          "consumer span is neither a child of the producer nor linked to it)"),
            std::string::npos)
      << r.reason;
  // Still processed: reconciliation is about processing, not propagation.
  EXPECT_EQ(r.details["queue_messages"][0]["processed_once"], 3);
}

TEST(PropagationCheck, ABatchSpanIsNeverTheChildOfItsMessagesProducers) {
  const CheckResult r =
      CheckFromYaml("propagation: { queues: { expect: child } }")->Run(BatchRun({true, true}));
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("2 of 2 messages not connected (2 messages linked by their consumer "
                          "span, want a child)"),
            std::string::npos)
      << r.reason;
}

TEST(PropagationCheck, RedeliveredBatchMessagesCountPerMessage) {
  RunData data = BatchRun({true, true}, /*redelivered_first=*/true);
  const CheckResult r = CheckFromYaml("propagation: { queues: { expect: link } }")->Run(data);
  EXPECT_EQ(r.details["queue_messages"][0]["redelivered_deliveries"], 1);
  EXPECT_EQ(r.details["queue_edges"][0]["redelivered"], 1);
}

}  // namespace
}  // namespace traceproof
