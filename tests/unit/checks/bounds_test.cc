// A key's name is a promise: under `max` a bare value is an upper bound, under `min` a lower
// one, and an operator that contradicts the key does not load.
#include <gtest/gtest.h>

#include "checks/check_spec.h"
#include "checks/check_test_util.h"
#include "checks/run_data_builder.h"

namespace traceproof {
namespace {

using testing::CheckFromYaml;
using testing::LoadErrorOf;
using testing::RunDataBuilder;

template <typename Spec>
Spec SpecOf(const std::string& yaml) {
  return std::get<Spec>(ParseCheckSpec(YAML::Load(yaml), "scenario.yaml").options);
}

// orders [0,100] makes three CLIENT calls, all at once or one after the other.
RunData ThreeCalls(bool parallel) {
  RunDataBuilder b;
  b.NewTrace();
  const int orders = b.Span("orders", "POST /orders").Kind(SpanKind::kServer).Times(0, 100);
  for (int i = 0; i < 3; ++i) {
    const double start = parallel ? 10 : 10 + 30 * i;
    b.Span("db", "SELECT").Kind(SpanKind::kClient).Parent(orders).Times(start, start + 20);
  }
  return b.Build();
}

TEST(Bounds, ABareCountUnderMaxIsAnUpperBound) {
  const auto spec = SpecOf<LatencySpec>("latency: {sequential: {max: 2}}");
  ASSERT_TRUE(spec.sequential_max);
  EXPECT_EQ(spec.sequential_max->op, Comparison::Op::kLe);
  EXPECT_EQ(spec.sequential_max->value, 2);
  EXPECT_EQ(spec.sequential_max->text, "<= 2");
}

TEST(Bounds, ThreeParallelCallsPassSequentialMaxTwoAndThreeInARowFail) {
  CheckResult r = CheckFromYaml("latency: {sequential: {max: 2}}")->Run(ThreeCalls(true));
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_NE(r.reason.find("1 sequential client calls"), std::string::npos) << r.reason;

  // The broken twin: the same three calls made one after the other.
  const RunData in_a_row = ThreeCalls(false);
  r = CheckFromYaml("latency: {sequential: {max: 2}}")->Run(in_a_row);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("3 sequential client calls under orders POST /orders, want <= 2"),
            std::string::npos)
      << r.reason;
  EXPECT_EQ(r.evidence, std::vector<std::string>{in_a_row.traces[0]->id.Hex()});
  EXPECT_TRUE(CheckFromYaml("latency: {sequential: {max: 3}}")->Run(in_a_row).passed);
}

TEST(Bounds, DurationsUnderMaxAreUpperBoundsWithOrWithoutTheirOperator) {
  const auto bare = SpecOf<LatencySpec>(
      "latency: {p99: {select: span, max: 800ms}, gaps: {max: 30ms}, fattest_leaf: {max: 1s}}");
  ASSERT_EQ(bare.percentiles.size(), 1u);
  EXPECT_EQ(bare.percentiles[0].max, std::chrono::milliseconds(800));
  EXPECT_EQ(bare.gaps_max, std::chrono::milliseconds(30));
  EXPECT_EQ(bare.fattest_leaf_max, std::chrono::seconds(1));

  const auto written =
      SpecOf<LatencySpec>("latency: {p99: {select: span, max: '<= 800ms'}, gaps: {max: '< 30ms'}}");
  EXPECT_EQ(written.percentiles[0].max, std::chrono::milliseconds(800));
  // Durations are whole nanoseconds: "< 30ms" is "<= 30ms - 1ns".
  EXPECT_EQ(written.gaps_max, std::chrono::milliseconds(30) - std::chrono::nanoseconds(1));
}

TEST(Bounds, NumbersUnderMinAndMaxKeysAreInclusiveBounds) {
  const auto t =
      SpecOf<ThroughputSpec>("throughput: {min_spans_per_s: 500, min_requests_per_s: '>= 100'}");
  EXPECT_EQ(t.min_spans_per_s, 500);
  EXPECT_EQ(t.min_requests_per_s, 100);
  EXPECT_EQ(SpecOf<HygieneSpec>("hygiene: {max_cardinality: '<= 20'}").max_cardinality, 20);
  EXPECT_EQ(SpecOf<HygieneSpec>("hygiene: {max_cardinality: 20}").max_cardinality, 20);
}

TEST(Bounds, OtherKeysKeepEqualityForABareValue) {
  EXPECT_EQ(SpecOf<PropagationSpec>("propagation: {broken_traces: 0}").broken_traces.op,
            Comparison::Op::kEq);
  const auto s = SpecOf<StructureSpec>("structure: {select: span, count: 3}");
  EXPECT_EQ(s.count.op, Comparison::Op::kEq);
  EXPECT_EQ(s.count.text, "3");
}

TEST(Bounds, AnOperatorContradictingItsKeyIsALoadErrorSayingWhy) {
  const std::string e = LoadErrorOf("latency: {sequential: {max: '>= 2'}}");
  EXPECT_EQ(e.rfind("scenario.yaml:1:", 0), 0u) << e;
  EXPECT_NE(e.find("'max': '>= 2' contradicts its key: 'max' is an upper bound"), std::string::npos)
      << e;
  EXPECT_NE(e.find("write \"<= 2\""), std::string::npos) << e;
  for (const char* yaml :
       {"latency: {sequential: {max: '> 2'}}", "latency: {sequential: {max: '== 2'}}",
        "latency: {sequential: {max: '!= 2'}}", "latency: {p99: {select: span, max: '>= 800ms'}}",
        "latency: {gaps: {max: '> 5ms'}}", "latency: {fattest_leaf: {max: '== 5ms'}}",
        "hygiene: {max_cardinality: '>= 5'}"}) {
    EXPECT_NE(LoadErrorOf(yaml).find("is an upper bound"), std::string::npos) << yaml;
  }
  for (const char* yaml :
       {"throughput: {min_spans_per_s: '< 3'}", "throughput: {min_requests_per_s: '<= 3'}",
        "throughput: {min_requests_per_s: '== 3'}"}) {
    EXPECT_NE(LoadErrorOf(yaml).find("is a lower bound"), std::string::npos) << yaml;
  }
}

TEST(Bounds, ABoundOfTheWrongKindIsALoadError) {
  EXPECT_NE(LoadErrorOf("latency: {gaps: {max: '<= 5%'}}").find("bounds a duration"),
            std::string::npos);
  EXPECT_NE(LoadErrorOf("throughput: {min_spans_per_s: '>= 5ms'}").find("bounds a number"),
            std::string::npos);
  EXPECT_NE(LoadErrorOf("latency: {sequential: {max: '<= 5ms'}}").find("not a duration"),
            std::string::npos);
}

TEST(Bounds, KeysAreReadByTheirName) {
  EXPECT_EQ(BoundOfKey("max"), BoundKind::kUpper);
  EXPECT_EQ(BoundOfKey("max_cardinality"), BoundKind::kUpper);
  EXPECT_EQ(BoundOfKey("min"), BoundKind::kLower);
  EXPECT_EQ(BoundOfKey("min_spans_per_s"), BoundKind::kLower);
  EXPECT_EQ(BoundOfKey("maximum"), BoundKind::kNone);
  EXPECT_EQ(BoundOfKey("broken_traces"), BoundKind::kNone);
}

}  // namespace
}  // namespace traceproof
