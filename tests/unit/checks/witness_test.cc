// The propagation check's witness part (checks/witness_edges.h): gateway (ours) -> checkout (an
// external service, not ours: its spans reach the sink but ground truth never sees them) ->
// payments (ours, which records what reached it). Each case has its twin that must pass.
#include <gtest/gtest.h>

#include <algorithm>

#include "checks/check_test_util.h"
#include "checks/run_data_builder.h"

namespace traceproof {
namespace {

using testing::CheckFromYaml;
using testing::RunDataBuilder;

enum class Hop { kPropagates, kNoContext, kMalformed, kForeignTrace, kParentLost, kUnsampled };

std::shared_ptr<const AllowedCallers> Outside(std::vector<std::string> names) {
  auto c = std::make_shared<AllowedCallers>();
  c->outside = std::move(names);
  return c;
}

bool Has(const std::string& reason, const std::string& part) {
  return reason.find(part) != std::string::npos;
}

class Chain {
 public:
  // One load request through gateway -> checkout -> payments, the hop into payments as `hop`.
  void Add(Hop hop) {
    const int trace = b_.NewTrace();
    const int root = b_.Span("gateway", "GET /checkout").Kind(SpanKind::kServer).Times(0, 100);
    const int call =
        b_.Span("gateway", "POST checkout").Kind(SpanKind::kClient).Parent(root).Times(5, 95);
    const int app = b_.Span("checkout", "POST /pay").Kind(SpanKind::kServer).Parent(call);
    int app_call = b_.Span("checkout", "POST payments").Kind(SpanKind::kClient).Parent(app);
    // A client span checkout never exported stands in as payments' parent.
    if (hop == Hop::kParentLost) app_call = b_.Span("checkout", "lost").Parent(app).Lost();
    InboundRecord r;
    r.service = "payments";
    r.target = "POST /charge";
    r.callers = Outside({"checkout"});
    r.request_id = 9000 + ++n_;  // made up by payments (apart from the builder's 1001...)
    int payments = 0;
    if (hop == Hop::kPropagates || hop == Hop::kParentLost || hop == Hop::kUnsampled) {
      payments = b_.Span("payments", "POST /charge").Kind(SpanKind::kServer).Parent(app_call);
      r.context.state = InboundContext::State::kValid;
      r.context.trace_id = RunDataBuilder::TraceIdOf(trace);
      r.context.parent_span_id = RunDataBuilder::SpanIdOf(app_call);
      r.context.sampled = hop != Hop::kUnsampled;
      r.span_trace_id = RunDataBuilder::TraceIdOf(trace);
    } else if (hop == Hop::kForeignTrace) {
      // checkout's work on a context-less thread: a new valid trace, rooted in an INTERNAL span.
      const int foreign = b_.NewTrace(r.request_id);
      const int thread = b_.Span("checkout", "background");
      const int thread_call =
          b_.Span("checkout", "POST payments").Kind(SpanKind::kClient).Parent(thread);
      payments = b_.Span("payments", "POST /charge").Kind(SpanKind::kServer).Parent(thread_call);
      r.context.state = InboundContext::State::kValid;
      r.context.trace_id = RunDataBuilder::TraceIdOf(foreign);
      r.context.parent_span_id = RunDataBuilder::SpanIdOf(thread_call);
      r.context.sampled = true;
      r.span_trace_id = r.context.trace_id;
    } else {
      const int lonely = b_.NewTrace(r.request_id);
      payments = b_.Span("payments", "POST /charge").Kind(SpanKind::kServer);
      if (hop == Hop::kMalformed) {
        r.context.state = InboundContext::State::kMalformed;
        r.context.raw = "00-xyz";
      }
      r.span_trace_id = RunDataBuilder::TraceIdOf(lonely);
    }
    payments_spans_.push_back({payments, r.request_id});
    records_.push_back(std::move(r));
    InboundRecord at_gateway;
    at_gateway.service = "gateway";
    at_gateway.target = "GET /checkout";
    at_gateway.from_load = true;
    at_gateway.request_id = b_.RequestIdOf(trace);
    records_.push_back(std::move(at_gateway));
  }

  RunData Build(bool tail_sampling = false) const {
    RunData d = b_.Build();
    // checkout is not ours: ground truth has none of its spans, payments' have made-up ids.
    std::erase_if(d.truth, [](const GroundTruthSpan& s) { return s.service == "checkout"; });
    for (GroundTruthSpan& s : d.truth) {
      for (const auto& [span, id] : payments_spans_) {
        if (s.span_id != RunDataBuilder::SpanIdOf(span)) continue;
        s.request_id = id;
        s.expected_parent_span_id = {};  // no harness header came: payments cannot know it
      }
    }
    d.inbound = records_;
    d.load.sent = static_cast<std::uint64_t>(n_);
    d.load_entry_services = {"gateway"};
    d.tail_sampling = tail_sampling;
    return d;
  }

  RunDataBuilder& builder() { return b_; }
  std::vector<InboundRecord>& records() { return records_; }

 private:
  RunDataBuilder b_;
  int n_ = 0;
  std::vector<std::pair<int, std::uint64_t>> payments_spans_;
  std::vector<InboundRecord> records_;
};

CheckResult Judge(const RunData& data) { return CheckFromYaml("propagation: {}")->Run(data); }

TEST(WitnessEdges, PropagatingThroughAnExternalServicePassesCountingEachLoadRequestOnce) {
  Chain c;
  for (int i = 0; i < 3; ++i) c.Add(Hop::kPropagates);
  const CheckResult r = Judge(c.Build());
  EXPECT_TRUE(r.passed) << r.reason;
  // payments' made-up request ids are no requests of their own: 3 load requests, not 6.
  EXPECT_EQ(r.details["requests"], 3) << r.reason;
  EXPECT_TRUE(Has(r.reason, "0 of 3 requests broken")) << r.reason;
  EXPECT_EQ(r.details["witness_arrivals"], 3);
}

// The sampling check counts requests too: payments' made-up request ids belong to the request
// whose trace they continue (3 load requests, not 6); a payments span in a trace of its own
// (propagation broke there) is a head decision of its own and stays a request.
TEST(WitnessEdges, SamplingCountsARequestThroughAnExternalServiceOnce) {
  Chain c;
  for (int i = 0; i < 3; ++i) c.Add(Hop::kPropagates);
  CheckResult r = CheckFromYaml("sampling: {head_ratio: 1}")->Run(c.Build());
  EXPECT_EQ(r.details["head"]["requests"], 3) << r.reason;
  c.Add(Hop::kNoContext);
  r = CheckFromYaml("sampling: {head_ratio: 1}")->Run(c.Build());
  EXPECT_EQ(r.details["head"]["requests"], 5) << r.reason;
}

TEST(WitnessEdges, ArrivalsWithoutContextBreakTheEdgeFromTheExternalCaller) {
  Chain c;
  for (int i = 0; i < 3; ++i) c.Add(Hop::kNoContext);
  const CheckResult r = Judge(c.Build());
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(Has(r.reason,
                  "checkout \u2192 payments: 3 of 3 calls arrived without trace context "
                  "(checkout is external; 3 load requests)"))
      << r.reason;
  EXPECT_TRUE(Has(r.reason, "3 of 3 requests broken")) << r.reason;
  EXPECT_TRUE(Has(r.reason, "could not be tied to a load request")) << r.reason;
  EXPECT_EQ(r.details["requests"], 3);
  EXPECT_FALSE(r.evidence.empty());  // payments' new traces
  const auto& edges = r.details["witness_edges"];
  ASSERT_EQ(edges.size(), 1u);
  EXPECT_EQ(edges[0]["no_context"], 3);
}

TEST(WitnessEdges, ABrokenArrivalBreaksOnlyItsShareOfTheLoadRequests) {
  Chain c;
  c.Add(Hop::kPropagates);
  c.Add(Hop::kNoContext);
  c.Add(Hop::kPropagates);
  c.Add(Hop::kPropagates);
  const CheckResult r = CheckFromYaml("propagation: { broken_traces: \"<= 25%\" }")->Run(c.Build());
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_TRUE(Has(r.reason, "1 of 4 requests broken")) << r.reason;
  const CheckResult strict = Judge(c.Build());
  EXPECT_FALSE(strict.passed);
  EXPECT_TRUE(Has(strict.reason, "checkout \u2192 payments: 1 of 4 calls")) << strict.reason;
}

TEST(WitnessEdges, AMalformedTraceparentIsABrokenEdgeSayingSo) {
  Chain c;
  c.Add(Hop::kMalformed);
  c.Add(Hop::kPropagates);
  const CheckResult r = Judge(c.Build());
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(Has(r.reason,
                  "checkout \u2192 payments: 1 of 2 calls arrived with a malformed "
                  "traceparent (e.g. \"00-xyz\")"))
      << r.reason;
}

TEST(WitnessEdges, AValidContextOfATraceNoRequestStartedIsAForeignTrace) {
  Chain c;
  c.Add(Hop::kForeignTrace);
  c.Add(Hop::kPropagates);
  const CheckResult r = Judge(c.Build());
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(Has(r.reason, "1 of 2 calls arrived in a foreign trace")) << r.reason;
  EXPECT_TRUE(Has(r.reason, "1 of 2 requests broken")) << r.reason;
}

TEST(WitnessEdges, ASampledParentThatNeverReachedTheSinkIsReported) {
  Chain c;
  c.Add(Hop::kParentLost);
  const CheckResult r = Judge(c.Build());
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(Has(r.reason, "1 of 1 calls arrived with a parent span that never reached the sink"))
      << r.reason;
  // Its trace is in the sink, so a tail sampler did not drop it: still reported.
  EXPECT_FALSE(Judge(c.Build(/*tail_sampling=*/true)).passed);
}

TEST(WitnessEdges, AnUnsampledContextIsExemptFromTheSinkLookups) {
  Chain c;
  c.Add(Hop::kUnsampled);
  RunData d = c.Build();
  // Unsampled: nothing of it was exported; the parent the context names is nowhere.
  for (InboundRecord& r : d.inbound) r.context.parent_span_id = RunDataBuilder::SpanIdOf(999);
  EXPECT_TRUE(Judge(d).passed) << Judge(d).reason;
  for (InboundRecord& r : d.inbound)
    r.context.sampled = r.context.state == InboundContext::State::kValid;
  EXPECT_FALSE(Judge(d).passed);  // the twin: sampled, the same context is broken
}

TEST(WitnessEdges, ATraceATailSamplerDroppedWholeIsExempt) {
  Chain c;
  c.Add(Hop::kParentLost);
  RunData d = c.Build(/*tail_sampling=*/true);
  d.traces.clear();  // the tail sampler kept nothing of it
  EXPECT_TRUE(Judge(d).passed) << Judge(d).reason;
  d.tail_sampling = false;  // without a tail sampler the missing parent is a finding
  EXPECT_FALSE(Judge(d).passed);
}

TEST(WitnessEdges, AMessageFromAnExternalProducerWithoutHeadersBreaksTheQueueEdge) {
  RunDataBuilder b;
  InboundRecord with, without;
  for (InboundRecord* r : {&with, &without}) {
    r->kind = InboundRecord::Kind::kMessage;
    r->service = "billing";
    r->target = "order.created";
    r->callers = Outside({"shop"});
  }
  const int t1 = b.NewTrace(7);
  const int producer = b.Span("shop", "publish").Kind(SpanKind::kProducer);
  b.Span("billing", "process order.created").Kind(SpanKind::kConsumer).Parent(producer);
  with.context = {InboundContext::State::kValid, "", RunDataBuilder::TraceIdOf(t1),
                  RunDataBuilder::SpanIdOf(producer), true};
  with.request_id = 7;
  const int t2 = b.NewTrace(8);
  b.Span("billing", "process order.created").Kind(SpanKind::kConsumer);
  without.request_id = 8;
  without.span_trace_id = RunDataBuilder::TraceIdOf(t2);
  RunData d = b.Build();
  std::erase_if(d.truth, [](const GroundTruthSpan& s) { return s.service == "shop"; });
  d.inbound = {with};
  d.load.sent = 2;
  d.load_entry_services = {"shop"};  // its SERVER roots are not here: the producer is a root
  // shop's publish span is the root of its trace: a trace an entry service started.
  d.load.started_traces = {RunDataBuilder::TraceIdOf(t1)};
  EXPECT_TRUE(Judge(d).passed) << Judge(d).reason;
  d.inbound.push_back(without);
  const CheckResult r = Judge(d);
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(Has(r.reason,
                  "shop \u2192 billing via order.created: 1 of 2 messages arrived "
                  "without trace headers (shop is external; 2 load requests)"))
      << r.reason;
}

TEST(WitnessEdges, AnAppAsEntryIsJudgedAgainstTheTracesTheLoadGeneratorStarted) {
  RunDataBuilder b;
  RunData d;
  std::vector<InboundRecord> records;
  for (int i = 0; i < 2; ++i) {
    const int t = b.NewTrace(500 + i);
    const int server = b.Span("checkout", "POST /pay").Kind(SpanKind::kServer);
    const int call = b.Span("checkout", "POST payments").Kind(SpanKind::kClient).Parent(server);
    b.Span("payments", "POST /charge").Kind(SpanKind::kServer).Parent(call);
    InboundRecord r;
    r.service = "payments";
    r.target = "POST /charge";
    auto callers = std::make_shared<AllowedCallers>();
    callers->outside = {"checkout"};
    callers->apps = {"checkout"};
    r.callers = callers;
    r.request_id = 500 + i;
    r.context = {InboundContext::State::kValid, "", RunDataBuilder::TraceIdOf(t),
                 RunDataBuilder::SpanIdOf(call), true};
    records.push_back(r);
  }
  d = b.Build();
  std::erase_if(d.truth, [](const GroundTruthSpan& s) { return s.service == "checkout"; });
  d.inbound = records;
  d.load.sent = 2;
  d.load.started_traces = {RunDataBuilder::TraceIdOf(1), RunDataBuilder::TraceIdOf(2)};
  const CheckResult r = Judge(d);
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_EQ(r.details["requests"], 2);
  // The twin: the app calls payments outside the request's context.
  d.inbound[1].context = {};
  const CheckResult broken = Judge(d);
  EXPECT_FALSE(broken.passed);
  EXPECT_TRUE(Has(broken.reason,
                  "checkout \u2192 payments: 1 of 2 calls arrived without trace "
                  "context (checkout is an app; 2 load requests)"))
      << broken.reason;
  EXPECT_TRUE(Has(broken.reason, "1 of 2 requests broken")) << broken.reason;
  // The other twin: the app ignored the load generator's traceparent for the second request and
  // started a trace of its own (checkout's SERVER span its root); payments got a valid context
  // of a trace no request of this run started.
  d.inbound[1] = records[1];
  d.load.started_traces = {RunDataBuilder::TraceIdOf(1)};
  const CheckResult ignored = Judge(d);
  EXPECT_FALSE(ignored.passed);
  EXPECT_TRUE(Has(ignored.reason, "checkout → payments")) << ignored.reason;
  EXPECT_EQ(ignored.details["witness_edges"][0]["foreign_trace"], 1) << ignored.details.dump();
}

TEST(WitnessEdges, ArrivalsFromOurOwnMocksAreLeftToGroundTruth) {
  Chain c;
  c.Add(Hop::kNoContext);
  RunData d = c.Build();
  for (InboundRecord& r : d.inbound) r.from_mock = true;  // the harness headers came along
  const CheckResult r = Judge(d);
  EXPECT_FALSE(r.details.contains("witness_edges")) << r.details.dump();
  EXPECT_FALSE(Has(r.reason, "calls arrived")) << r.reason;
}

TEST(WitnessEdges, SeveralAllowedCallersAreAllNamed) {
  Chain c;
  c.Add(Hop::kNoContext);
  RunData d = c.Build();
  for (InboundRecord& r : d.inbound)
    if (r.callers) r.callers = Outside({"checkout", "cart"});
  const CheckResult r = Judge(d);
  EXPECT_TRUE(Has(r.reason, "checkout|cart \u2192 payments: 1 of 1 calls")) << r.reason;
  EXPECT_TRUE(Has(r.reason, "checkout is external, cart is external")) << r.reason;
}

}  // namespace
}  // namespace traceproof
