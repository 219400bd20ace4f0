#include <gtest/gtest.h>

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

}  // namespace
}  // namespace traceproof
