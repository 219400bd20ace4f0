// The truth joiner (checks/truth_join.h) and the checks that judge ground truth per request:
// a request is handed out once its traces are at the sink and it has been quiet, or declared
// missing after the bound; the joiner then holds nothing of it; and the same records fed as a
// run feeds them (interleaved with the traces, released as they settle) give exactly the
// results a batch judge (Check::Run) gives.
#include "checks/truth_join.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "check_test_util.h"
#include "run_data_builder.h"

namespace traceproof {
namespace {

using namespace std::chrono_literals;
using checks::TruthJoiner;
using checks::TruthRequest;
using testing::CheckFromYaml;
using testing::RunDataBuilder;

const Clock::time_point kT0 = Clock::time_point{} + 1h;

GroundTruthSpan SpanOf(std::uint64_t request, int trace, int span, bool exported = true) {
  GroundTruthSpan s;
  s.request_id = request;
  s.trace_id = RunDataBuilder::TraceIdOf(trace);
  s.span_id = RunDataBuilder::SpanIdOf(span);
  s.service = "svc";
  s.exported = exported;
  s.sampled = exported;
  return s;
}

struct Released {
  std::vector<TruthRequest> requests;
  TruthJoiner::Release Sink() {
    return [this](const TruthRequest& r) { requests.push_back(r); };
  }
};

TEST(TruthJoiner, ARequestWhoseTracesReachedTheSinkIsHandedOutOnceQuietAndForgotten) {
  Released out;
  TruthJoiner joiner({2s, 10s}, out.Sink());
  joiner.AddSpan(SpanOf(1, 1, 1), kT0);
  joiner.AddSpan(SpanOf(1, 1, 2), kT0 + 100ms);
  joiner.AddTrace(RunDataBuilder::TraceIdOf(1), kT0 + 500ms);
  joiner.ReleaseDue(kT0 + 2s);  // 1.9 s quiet: not yet
  EXPECT_TRUE(out.requests.empty());
  EXPECT_EQ(joiner.held_requests(), 1u);
  joiner.ReleaseDue(kT0 + 2100ms);
  ASSERT_EQ(out.requests.size(), 1u);
  EXPECT_EQ(out.requests[0].request_id, 1u);
  EXPECT_EQ(out.requests[0].spans.size(), 2u);
  EXPECT_FALSE(out.requests[0].missing);
  EXPECT_EQ(joiner.held_requests(), 0u);
  EXPECT_EQ(joiner.counts().missing, 0u);
}

TEST(TruthJoiner, ARequestWhoseTraceNeverReachesTheSinkIsDeclaredMissingAfterTheBound) {
  Released out;
  TruthJoiner joiner({2s, 10s}, out.Sink());
  joiner.AddSpan(SpanOf(7, 3, 1), kT0);
  joiner.ReleaseDue(kT0 + 11s);  // quiet, but its trace never completed: waits for the bound
  EXPECT_TRUE(out.requests.empty());
  joiner.ReleaseDue(kT0 + 12s);
  ASSERT_EQ(out.requests.size(), 1u);
  EXPECT_TRUE(out.requests[0].missing);
  EXPECT_EQ(joiner.counts().missing, 1u);
  EXPECT_EQ(joiner.held_requests(), 0u);
}

TEST(TruthJoiner, ARequestThatPublishedAMessageIsHeldToTheEnd) {
  Released out;
  TruthJoiner joiner({2s, 10s}, out.Sink());
  GroundTruthSpan publish = SpanOf(6, 6, 1);
  publish.kind = SpanKind::kProducer;
  publish.queue = "order.created";
  joiner.AddSpan(publish, kT0);
  joiner.AddTrace(RunDataBuilder::TraceIdOf(6), kT0);
  joiner.ReleaseDue(kT0 + 1h);  // a redelivery of its message may still come
  EXPECT_TRUE(out.requests.empty());
  GroundTruthSpan redelivered = SpanOf(6, 6, 2);
  redelivered.kind = SpanKind::kConsumer;
  redelivered.queue = "order.created";
  joiner.AddSpan(redelivered, kT0 + 1h);
  joiner.Flush();
  ASSERT_EQ(out.requests.size(), 1u);  // one request, with its late delivery
  EXPECT_EQ(out.requests[0].spans.size(), 2u);
}

TEST(TruthJoiner, ARequestWithNothingExportedNeedsNoTraceAtTheSink) {
  Released out;
  TruthJoiner joiner({2s, 10s}, out.Sink());
  joiner.AddSpan(SpanOf(4, 2, 1, /*exported=*/false), kT0);
  joiner.ReleaseDue(kT0 + 2s);
  ASSERT_EQ(out.requests.size(), 1u);
  EXPECT_FALSE(out.requests[0].missing);
}

TEST(TruthJoiner, ATraceCompletedBeforeItsTruthArrivedStillCounts) {
  Released out;
  TruthJoiner joiner({2s, 10s}, out.Sink());
  joiner.AddTrace(RunDataBuilder::TraceIdOf(5), kT0);
  joiner.AddSpan(SpanOf(5, 5, 1), kT0 + 100ms);
  joiner.ReleaseDue(kT0 + 2100ms);
  ASSERT_EQ(out.requests.size(), 1u);
  EXPECT_FALSE(out.requests[0].missing);
}

TEST(TruthJoiner, SpansOfAMadeUpRequestGoOutWithTheRequestOfTheirTrace) {
  Released out;
  TruthJoiner joiner({2s, 10s}, out.Sink());
  InboundRecord r;  // an arrival from an external caller without the request id header
  r.request_id = 99;
  r.callers = std::make_shared<AllowedCallers>(AllowedCallers{{}, {"checkout"}, {}});
  joiner.AddInbound(r, kT0);
  joiner.AddSpan(SpanOf(99, 1, 2), kT0);  // behind the external service, in the same trace
  joiner.AddSpan(SpanOf(99, 4, 3), kT0);  // and one in a trace of its own
  joiner.AddSpan(SpanOf(1, 1, 1), kT0 + 100ms);
  joiner.AddTrace(RunDataBuilder::TraceIdOf(1), kT0 + 200ms);
  joiner.AddTrace(RunDataBuilder::TraceIdOf(4), kT0 + 200ms);
  joiner.ReleaseDue(kT0 + 3s);
  ASSERT_EQ(out.requests.size(), 1u);  // the made-up request waits for the bound
  EXPECT_EQ(out.requests[0].request_id, 1u);
  ASSERT_EQ(out.requests[0].spans.size(), 2u);
  EXPECT_EQ(out.requests[0].spans[0].request_id, 99u);  // recording order kept
  EXPECT_EQ(out.requests[0].made_up, std::set<std::uint64_t>{99});
  joiner.Flush();
  ASSERT_EQ(out.requests.size(), 2u);
  EXPECT_EQ(out.requests[1].request_id, 99u);
  EXPECT_EQ(out.requests[1].spans.size(), 1u);
  EXPECT_EQ(joiner.held_requests(), 0u);
}

// A run with a bit of everything the joining checks judge: a request broken into two traces,
// a detached span, a span lost on the way, a partly sampled request, an error, unsampled ones.
RunData MixedRun() {
  RunDataBuilder b;
  for (int i = 0; i < 12; ++i) {
    b.NewTrace();
    const int root = b.Span("gateway", "POST /checkout").Kind(SpanKind::kServer).Times(0, 50 + i);
    const int client = b.Span("gateway", "call orders").Kind(SpanKind::kClient).Parent(root);
    auto server = b.Span("orders", "POST /orders").Kind(SpanKind::kServer).Parent(client);
    if (i == 3) server.Lost();
    if (i == 5) server.Status(StatusCode::kError);
    if (i == 7) server.NotSampled();
    if (i % 4 == 1) b.Span("gateway", "GET /x").Kind(SpanKind::kInternal).Parent(root).NotSampled();
  }
  // Request 13 broken: the second half in a trace of its own, with a detached span.
  const int r = b.NewTrace();
  const int root = b.Span("gateway", "POST /checkout").Kind(SpanKind::kServer);
  const int client = b.Span("gateway", "call orders").Kind(SpanKind::kClient).Parent(root);
  b.NewTrace(b.RequestIdOf(r));
  b.Span("orders", "POST /orders").Kind(SpanKind::kServer).ExpectedParent(client);
  b.Span("orders", "async").ExpectedParent(client).Fault("detached_span");
  return b.Build();
}

nlohmann::json AsJson(const CheckResult& r) {
  return {{"kind", r.kind},     {"label", r.label},       {"passed", r.passed},
          {"reason", r.reason}, {"evidence", r.evidence}, {"details", r.details}};
}

// As a run feeds a tally: the traces as they complete, interleaved with ground truth as it is
// recorded (some traces before their truth, most after), requests released as they settle.
// With `late`, the second trace completes only after its request was given up on (a trace
// that reached the sink after drain.max): it must still count as arrived.
// With `forget`, the checks may forget a trace's sink facts that long after its last span,
// as a long run lets them (the traces are stamped with the feeding clock).
CheckResult Streamed(const Check& check, const RunData& data, bool late,
                     checks::TruthJoinCounts& counts, std::size_t& held_after_settling,
                     std::optional<std::chrono::nanoseconds> forget = std::nullopt) {
  TallyContext context = TallyContextOf(data);
  context.forget_sink_traces_after = forget;
  const std::unique_ptr<TraceTally> tally = check.NewTally(context);
  TruthJoiner joiner({2s, 10s}, [&](const TruthRequest& r) { tally->AddRequest(r); });
  Clock::time_point now = kT0;
  std::vector<std::shared_ptr<const Trace>> traces = data.traces;
  std::shared_ptr<const Trace> withheld;
  if (late && traces.size() > 1) {
    withheld = traces[1];
    traces.erase(traces.begin() + 1);
  }
  std::size_t next_trace = 0;
  auto add_trace = [&](const Trace& trace) {
    Trace stamped = trace;
    stamped.first_seen = stamped.last_seen = now;
    tally->Add(stamped);
    joiner.AddTrace(trace.id, now);
  };
  for (const InboundRecord& r : data.inbound) joiner.AddInbound(r, now);
  for (std::size_t i = 0; i < data.truth.size(); ++i) {
    now += 300ms;
    joiner.AddSpan(data.truth[i], now);
    if (i % 3 == 0 && next_trace < traces.size()) add_trace(*traces[next_trace++]);
    joiner.ReleaseDue(now);
  }
  while (next_trace < traces.size()) add_trace(*traces[next_trace++]);
  now += 30s;
  joiner.ReleaseDue(now);
  held_after_settling = joiner.held_requests();
  if (withheld) add_trace(*withheld);
  joiner.Flush();
  counts = joiner.counts();
  return check.Judge(*tally, data);
}

TEST(TruthJoin, StreamedRequestsGiveExactlyTheBatchResults) {
  const RunData data = MixedRun();
  for (const char* yaml :
       {"propagation: {broken_traces: '== 0', detached: '== 0'}", "sampling: {parent_based: true}",
        "sampling: {head_ratio: 0.5, parent_based: false}",
        "sampling: {parent_based: false, tail: {keep_errors: true, ratio: 0.5}}",
        "throughput: {loss: '== 0'}"}) {
    SCOPED_TRACE(yaml);
    const auto check = CheckFromYaml(yaml);
    ASSERT_TRUE(check->JoinsTruth());
    for (const bool late : {false, true}) {
      SCOPED_TRACE(late ? "a trace after its request was given up on" : "in time");
      // Forgetting sink facts 24 s after a trace's last span: twice the joiner's bound of
      // settle + missing_after, as a run sets it; the 30 s pause below lets it forget.
      for (const auto forget : {std::optional<std::chrono::nanoseconds>{},
                                std::optional<std::chrono::nanoseconds>{24s}}) {
        SCOPED_TRACE(forget ? "forgetting sink facts" : "keeping every sink fact");
        checks::TruthJoinCounts counts;
        std::size_t held = 0;
        const CheckResult streamed = Streamed(*check, data, late, counts, held, forget);
        EXPECT_EQ(AsJson(streamed).dump(1), AsJson(check->Run(data)).dump(1));
        EXPECT_EQ(counts.released, 13u);  // every request once
        EXPECT_EQ(counts.missing, late ? 1u : 0u);
        EXPECT_EQ(held, 0u);  // nothing held once every request settled
      }
    }
  }
  // The fixture does what it is meant to: the checks fail for the reasons it sets up.
  EXPECT_FALSE(CheckFromYaml("propagation: {broken_traces: '== 0'}")->Run(data).passed);
  EXPECT_FALSE(CheckFromYaml("sampling: {parent_based: true}")->Run(data).passed);
  EXPECT_FALSE(CheckFromYaml("throughput: {loss: '== 0'}")->Run(data).passed);
}

TEST(TruthJoin, ARequestWhoseTraceNeverReachedTheSinkIsLostAndNotHeld) {
  RunDataBuilder b;
  b.NewTrace();
  b.Span("gateway", "POST /checkout").Kind(SpanKind::kServer);
  b.NewTrace();
  const int root = b.Span("gateway", "POST /checkout").Kind(SpanKind::kServer).Lost();
  b.Span("orders", "POST /orders").Kind(SpanKind::kServer).Parent(root).Lost();
  const RunData data = b.Build();
  ASSERT_EQ(data.traces.size(), 1u);  // the second never reached the sink
  const auto check = CheckFromYaml("throughput: {loss: '== 0'}");
  checks::TruthJoinCounts counts;
  std::size_t held = 0;
  const CheckResult r = Streamed(*check, data, /*late=*/false, counts, held);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.details["lost_spans"], 2);
  EXPECT_EQ(r.details["emitted_spans"], 3);
  EXPECT_EQ(r.evidence, std::vector<std::string>{RunDataBuilder::TraceIdOf(2).Hex()});
  EXPECT_EQ(counts.missing, 1u);  // declared missing once quiet past the bound
  EXPECT_EQ(held, 0u);
  EXPECT_EQ(AsJson(r).dump(1), AsJson(check->Run(data)).dump(1));
}

// The sink shows a second root in a request's one trace only after the request was judged
// (a late span whose parent never arrived): the request is broken all the same, as a batch
// judge that saw the whole trace says, and a run that forgets sink facts still says so.
TEST(TruthJoin, ALateRootBreaksARequestAlreadyJudgedAsOneTrace) {
  RunDataBuilder b;
  b.NewTrace();
  const int root = b.Span("gateway", "POST /checkout").Kind(SpanKind::kServer).Times(0, 50);
  b.Span("gateway", "work").Parent(root).Times(5, 40);
  const RunData whole = b.Build();
  ASSERT_EQ(whole.traces.size(), 1u);
  ASSERT_EQ(whole.traces[0]->spans.size(), 2u);
  // The sink's view: the root completes alone; the child comes late, as a root of its own.
  auto first = std::make_shared<Trace>(*whole.traces[0]);
  first->spans.resize(1);
  first->times_completed = 1;
  first->handed_out = 1;
  auto update = std::make_shared<Trace>(*whole.traces[0]);
  update->spans[1].parent_span_id = SpanId{};
  update->times_completed = 2;
  update->new_from = 1;
  update->handed_out = 2;
  RunData data = whole;
  data.traces = {first, update};
  const auto check = CheckFromYaml("propagation: {broken_traces: '== 0'}");
  const CheckResult batch = check->Run(data);
  EXPECT_FALSE(batch.passed) << batch.reason;
  EXPECT_EQ(batch.evidence, std::vector<std::string>{RunDataBuilder::TraceIdOf(1).Hex()});
  // The broken twin: without the late root the same request passes.
  RunData healthy = whole;
  EXPECT_TRUE(check->Run(healthy).passed);

  for (const auto forget :
       {std::optional<std::chrono::nanoseconds>{}, std::optional<std::chrono::nanoseconds>{24s}}) {
    SCOPED_TRACE(forget ? "forgetting sink facts" : "keeping every sink fact");
    TallyContext context = TallyContextOf(data);
    context.forget_sink_traces_after = forget;
    const std::unique_ptr<TraceTally> tally = check->NewTally(context);
    std::size_t released = 0;
    TruthJoiner joiner({2s, 10s}, [&](const TruthRequest& r) {
      ++released;
      tally->AddRequest(r);
    });
    Clock::time_point now = kT0;
    for (const GroundTruthSpan& s : data.truth) joiner.AddSpan(s, now);
    Trace stamped = *first;
    stamped.last_seen = now;
    tally->Add(stamped);
    joiner.AddTrace(first->id, now);
    now += 5s;
    joiner.ReleaseDue(now);
    ASSERT_EQ(released, 1u);  // judged before the late root arrived
    stamped = *update;
    stamped.last_seen = now;
    tally->Add(stamped);
    joiner.Flush();
    EXPECT_EQ(AsJson(check->Judge(*tally, data)).dump(1), AsJson(batch).dump(1));
  }
}

}  // namespace
}  // namespace traceproof
