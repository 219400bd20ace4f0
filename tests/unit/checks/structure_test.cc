#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "checks/check_test_util.h"
#include "checks/run_data_builder.h"

namespace traceproof {
namespace {

using testing::CheckFromYaml;
using testing::LoadErrorOf;
using testing::RunDataBuilder;

// A checkout: gateway SERVER -> orders SERVER -> payments CLIENT "charge-card" (x `charges`).
void AddCheckout(RunDataBuilder& b, int charges, bool with_route = true) {
  b.NewTrace();
  auto root = b.Span("gateway", "GET /checkout").Kind(SpanKind::kServer).Times(0, 100);
  if (with_route) root.Attr("http.route", "/checkout");
  const int orders =
      b.Span("orders", "POST /orders").Kind(SpanKind::kServer).Parent(root).Times(5, 95);
  for (int i = 0; i < charges; ++i) {
    b.Span("payments", "charge-card").Kind(SpanKind::kClient).Parent(orders).Times(10 + i, 20 + i);
  }
}

TEST(StructureCheck, CountsSelectedSpansOverTheRun) {
  RunDataBuilder b;
  AddCheckout(b, 1);
  AddCheckout(b, 2);
  const RunData data = b.Build();

  auto at_least_three =
      CheckFromYaml(R"(structure: {select: 'span[name="charge-card"]', count: ">= 3"})");
  CheckResult r = at_least_three->Run(data);
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_EQ(r.kind, "structure");
  EXPECT_EQ(r.details["selected_spans"], 3);

  auto at_least_four =
      CheckFromYaml(R"(structure: {select: 'span[name="charge-card"]', count: ">= 4"})");
  r = at_least_four->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("3 spans match"), std::string::npos) << r.reason;
}

TEST(StructureCheck, DefaultCountIsAtLeastOne) {
  RunDataBuilder b;
  AddCheckout(b, 1);
  const RunData data = b.Build();
  EXPECT_TRUE(CheckFromYaml("structure: {select: 'span[kind=CLIENT]'}")->Run(data).passed);
  EXPECT_FALSE(CheckFromYaml("structure: {select: 'span[kind=CONSUMER]'}")->Run(data).passed);
}

TEST(StructureCheck, EverySelectedSpanNeedsItsChildren) {
  RunDataBuilder b;
  AddCheckout(b, 1);
  AddCheckout(b, 0);  // orders never charged the card
  AddCheckout(b, 1);
  const RunData data = b.Build();
  auto check = CheckFromYaml(R"(
structure:
  select: span[service="orders" kind=SERVER]
  child: span[name="charge-card"]
  count: ">= 1")");
  const CheckResult r = check->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("1 of 3 spans"), std::string::npos) << r.reason;
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0], RunDataBuilder::TraceIdOf(2).Hex());

  RunDataBuilder ok;
  AddCheckout(ok, 1);
  AddCheckout(ok, 2);
  EXPECT_TRUE(check->Run(ok.Build()).passed);
}

TEST(StructureCheck, DescendantsAndParents) {
  RunDataBuilder b;
  AddCheckout(b, 2);
  const RunData data = b.Build();
  // The gateway's charge-card spans are grandchildren: not children, but descendants.
  EXPECT_FALSE(
      CheckFromYaml(
          R"(structure: {select: 'span[service="gateway"]', child: 'span[name="charge-card"]'})")
          ->Run(data)
          .passed);
  EXPECT_TRUE(
      CheckFromYaml(
          R"(structure: {select: 'span[service="gateway"]', descendant: 'span[name="charge-card"]', count: "== 2"})")
          ->Run(data)
          .passed);
  EXPECT_TRUE(
      CheckFromYaml(
          R"(structure: {select: 'span[name="charge-card"]', parent: 'span[service="orders"]'})")
          ->Run(data)
          .passed);
  EXPECT_FALSE(
      CheckFromYaml(
          R"(structure: {select: 'span[name="charge-card"]', parent: 'span[service="gateway"]'})")
          ->Run(data)
          .passed);
}

TEST(StructureCheck, RelationWithNothingSelectedFails) {
  RunDataBuilder b;
  AddCheckout(b, 1);
  const CheckResult r =
      CheckFromYaml(R"(structure: {select: 'span[service="nope"]', child: span})")->Run(b.Build());
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("no span matches"), std::string::npos) << r.reason;
}

TEST(StructureCheck, RequiredAttributes) {
  RunDataBuilder b;
  AddCheckout(b, 1, /*with_route=*/true);
  AddCheckout(b, 1, /*with_route=*/false);
  const RunData data = b.Build();
  const auto present = CheckFromYaml(
      "structure: {select: 'span[service=\"gateway\"]', attributes: {http.route: true}}");
  CheckResult r = present->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("1 of 2 selected spans lack attributes: http.route (1)"),
            std::string::npos)
      << r.reason;
  EXPECT_EQ(r.evidence, std::vector<std::string>{RunDataBuilder::TraceIdOf(2).Hex()});

  RunDataBuilder one;
  AddCheckout(one, 1, true);
  EXPECT_TRUE(present->Run(one.Build()).passed);
  EXPECT_FALSE(CheckFromYaml("structure: {select: 'span[service=\"gateway\"]', attributes: "
                             "{http.route: \"/cart\"}}")
                   ->Run(one.Build())
                   .passed);
}

TEST(StructureCheck, OrphansAndRootsPerTrace) {
  RunDataBuilder b;
  AddCheckout(b, 1);
  b.NewTrace();
  const int root = b.Span("gateway", "GET /checkout").Kind(SpanKind::kServer).Times(0, 100);
  const int lost = b.Span("orders", "POST /orders").Parent(root).Times(5, 95).Lost();
  b.Span("payments", "charge-card").Parent(lost).Times(10, 20);
  b.Span("gateway", "GET /checkout").Kind(SpanKind::kServer).Times(0, 100);  // a second root
  const RunData data = b.Build();

  CheckResult r =
      CheckFromYaml("structure: {select: 'span[service=\"gateway\"]', no_orphans: true}")
          ->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("1 of 2 traces have orphans"), std::string::npos) << r.reason;
  EXPECT_EQ(r.evidence, std::vector<std::string>{RunDataBuilder::TraceIdOf(2).Hex()});

  r = CheckFromYaml("structure: {select: 'span[service=\"gateway\"]', single_root: true}")
          ->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.details["multi_root_traces"], 1);

  RunDataBuilder good;
  AddCheckout(good, 1);
  EXPECT_TRUE(CheckFromYaml("structure: {select: span, no_orphans: true, single_root: true}")
                  ->Run(good.Build())
                  .passed);
}

TEST(StructureCheck, OptionsAreStrict) {
  EXPECT_NE(LoadErrorOf("structure: {count: '>= 1'}").find("missing 'select'"), std::string::npos);
  EXPECT_NE(LoadErrorOf("structure: {select: span, chlid: span}").find("did you mean 'child'?"),
            std::string::npos);
  EXPECT_NE(LoadErrorOf("structure: {select: span, child: span, parent: span}")
                .find("one relation per check"),
            std::string::npos);
  EXPECT_NE(LoadErrorOf("structure: {select: 'span[kind=SERVR]'}").find("unknown kind 'SERVR'"),
            std::string::npos);
  EXPECT_NE(LoadErrorOf("structure: {select: span, count: '< 5ms'}").find("number of spans"),
            std::string::npos);
  EXPECT_EQ(LoadErrorOf("structure: {select: span, count: '< 5ms'}").rfind("scenario.yaml:1:", 0),
            0u);
}

// The sink's view of a trace whose spans came in two parts: the first `n` spans completed,
// the rest came late, as an update record. `evicted`: the store had let the trace go, so the
// update holds the late spans alone (as a run's store hands them out); otherwise the whole
// trace with the late ones marked.
std::vector<std::shared_ptr<const Trace>> InTwoParts(const Trace& whole, std::size_t n,
                                                     bool evicted) {
  auto first = std::make_shared<Trace>(whole);
  first->spans.resize(n);
  first->times_completed = 1;
  first->handed_out = n;
  auto update = std::make_shared<Trace>(whole);
  update->times_completed = 2;
  update->handed_out = whole.spans.size();
  if (evicted) {
    update->spans.erase(update->spans.begin(), update->spans.begin() + n);
    update->follows_evicted = true;
  } else {
    update->new_from = n;
  }
  return {first, update};
}

TEST(StructureCheck, ALateParentIsNoOrphanAndALateOrphanIs) {
  const auto check =
      CheckFromYaml(R"(structure: {select: 'span[service="gateway"]', no_orphans: true})");
  // gateway root, then a leaf whose parent (the third span) comes late.
  RunDataBuilder b;
  b.NewTrace();
  const int root = b.Span("gateway", "GET /").Kind(SpanKind::kServer).Times(0, 100);
  b.Span("gateway", "leaf").Parent(3).Times(20, 30);
  b.Span("gateway", "middle").Parent(root).Times(10, 40);
  const RunData whole = b.Build();
  ASSERT_EQ(whole.traces.size(), 1u);
  ASSERT_TRUE(check->Run(whole).passed);
  for (const bool evicted : {false, true}) {
    SCOPED_TRACE(evicted ? "late spans alone" : "the whole trace again");
    RunData late = whole;
    late.traces = InTwoParts(*whole.traces[0], 2, evicted);
    CheckResult r = check->Run(late);
    EXPECT_TRUE(r.passed) << r.reason;  // the parent came, late: no orphan
    EXPECT_EQ(r.details["orphaned_traces"], 0);
    EXPECT_EQ(r.details["traces_with_selected"], 1);
    EXPECT_EQ(r.details["selected_spans"], 3);
    EXPECT_TRUE(r.evidence.empty());
    // The broken twin: the parent never comes.
    RunData never = whole;
    never.traces = {InTwoParts(*whole.traces[0], 2, evicted)[0]};
    r = check->Run(never);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.details["orphaned_traces"], 1);
    EXPECT_EQ(r.evidence, std::vector<std::string>{whole.traces[0]->id.Hex()});
  }
  // A trace that passed when it completed, then a late span whose parent never arrives.
  RunDataBuilder o;
  o.NewTrace();
  const int top = o.Span("gateway", "GET /").Kind(SpanKind::kServer).Times(0, 100);
  o.Span("gateway", "child").Parent(top).Times(10, 40);
  o.Span("gateway", "stray").Parent(9).Times(50, 60);  // span 9 is in no trace
  const RunData stray = o.Build();
  for (const bool evicted : {false, true}) {
    SCOPED_TRACE(evicted ? "late spans alone" : "the whole trace again");
    RunData late = stray;
    late.traces = InTwoParts(*stray.traces[0], 2, evicted);
    const CheckResult r = check->Run(late);
    EXPECT_FALSE(r.passed) << r.reason;
    EXPECT_EQ(r.details["orphaned_traces"], 1);
  }
}

TEST(StructureCheck, ALateSpanCountsTowardsItsParentsRelation) {
  // orders must have exactly one CLIENT child; the second arrives late and breaks it, the
  // first arriving late mends it.
  const auto check = CheckFromYaml(
      R"(structure: {select: 'span[service="orders"]', child: 'span[kind=CLIENT]', count: "== 1"})");
  RunDataBuilder b;
  AddCheckout(b, 2);  // gateway, orders, two charge-card CLIENT spans
  const RunData two = b.Build();
  ASSERT_FALSE(check->Run(two).passed);
  RunData late = two;
  late.traces = InTwoParts(*two.traces[0], 3, true);  // passed with one child, then a second
  CheckResult r = check->Run(late);
  EXPECT_FALSE(r.passed) << r.reason;
  EXPECT_EQ(r.details["relation_violations"], 1);
  RunDataBuilder c;
  AddCheckout(c, 1);
  const RunData one = c.Build();
  late = one;
  late.traces = InTwoParts(*one.traces[0], 2, true);  // no child at first, then its one
  r = check->Run(late);
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_EQ(r.details["relation_violations"], 0);
}

TEST(StructureCheck, LateSpansOfAForgottenTraceAreCountedNotJudged) {
  const auto check =
      CheckFromYaml(R"(structure: {select: 'span[service="gateway"]', no_orphans: true})");
  RunDataBuilder b;
  b.NewTrace();
  const int root = b.Span("gateway", "GET /").Kind(SpanKind::kServer).Times(0, 100);
  b.Span("gateway", "child").Parent(root).Times(10, 40);
  const RunData whole = b.Build();
  auto parts = InTwoParts(*whole.traces[0], 1, true);
  TallyContext context = TallyContextOf(whole);
  context.forget_traces_after = std::chrono::seconds(5);
  const std::unique_ptr<TraceTally> tally = check->NewTally(context);
  const Clock::time_point t0 = Clock::time_point{} + std::chrono::hours(1);
  Trace first = *parts[0], update = *parts[1];
  first.last_seen = t0;
  update.last_seen = t0 + std::chrono::seconds(60);
  // Another trace's arrival moves the sink's clock on past the first's bound.
  Trace other = first;
  other.id = RunDataBuilder::TraceIdOf(7);
  other.last_seen = t0 + std::chrono::seconds(30);
  tally->Add(first);
  tally->Add(other);
  tally->Add(update);
  const CheckResult r = check->Judge(*tally, whole);
  EXPECT_TRUE(r.passed) << r.reason;  // the child alone would be an orphan: not judged alone
  EXPECT_EQ(r.details["selected_spans"], 3);  // but counted
}

}  // namespace
}  // namespace traceproof
