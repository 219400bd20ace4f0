// Check specs are data: one `checks:` entry parses into its kind's spec with every option in a
// field (and the documented defaults where it says nothing), positions point at the entry and its
// options, whether a check is judged on a sample is read off the spec, and a spec copies.
#include "checks/check_spec.h"

#include <gtest/gtest.h>

#include "checks/make_check.h"
#include "checks/run_data_builder.h"

namespace traceproof {
namespace {

using std::chrono::milliseconds;

CheckSpec Parse(const std::string& yaml) { return ParseCheckSpec(YAML::Load(yaml), "s.yaml"); }

template <typename Spec>
Spec SpecOf(const std::string& yaml) {
  const CheckSpec spec = Parse(yaml);
  EXPECT_TRUE(std::holds_alternative<Spec>(spec.options)) << yaml;
  return std::get<Spec>(spec.options);
}

TEST(CheckSpec, KindAndPositionsComeFromTheEntry) {
  const CheckSpec spec = Parse(R"(
propagation:
  broken_traces: "<= 2"
)");
  EXPECT_EQ(spec.kind, "propagation");
  EXPECT_EQ(spec.pos.file, "s.yaml");
  EXPECT_EQ(spec.pos.line, 2);
  EXPECT_EQ(spec.pos.column, 1);
  const auto& options = std::get<PropagationSpec>(spec.options);
  EXPECT_EQ(options.pos.line, 3) << "the options map starts on the next line";
  EXPECT_EQ(options.pos.column, 3);
}

TEST(CheckSpec, EachKindParsesIntoItsOwnSpec) {
  EXPECT_EQ(Parse("structure: {select: span}").options.index(), 0u);
  EXPECT_EQ(Parse("propagation:").options.index(), 1u);
  EXPECT_EQ(Parse("sampling: {}").options.index(), 2u);
  EXPECT_EQ(Parse("latency: {p50: {select: span, max: 1s}}").options.index(), 3u);
  EXPECT_EQ(Parse("throughput: {}").options.index(), 4u);
  EXPECT_EQ(Parse("hygiene: {}").options.index(), 5u);
  EXPECT_EQ(CheckKinds(), (std::vector<std::string>{"structure", "propagation", "sampling",
                                                    "latency", "throughput", "hygiene", "sinks"}));
}

TEST(CheckSpec, StructureHoldsSelectorsRelationCountAndAttributes) {
  const auto s = SpecOf<StructureSpec>(R"(
structure:
  select: 'span[service="orders"]'
  descendant: 'span[kind=CLIENT]'
  count: ">= 2"
  attributes: { http.route: "/orders", user.id: true, flag: "true" }
  no_orphans: true
  single_root: true
)");
  EXPECT_EQ(s.select.text(), R"(span[service="orders"])");
  EXPECT_EQ(s.relation, Relation::kDescendant);
  ASSERT_TRUE(s.related);
  EXPECT_EQ(s.related->text(), "span[kind=CLIENT]");
  EXPECT_EQ(s.count.op, Comparison::Op::kGe);
  EXPECT_EQ(s.count.value, 2);
  EXPECT_EQ(s.count.text, ">= 2");
  ASSERT_EQ(s.attributes.size(), 3u);
  EXPECT_EQ(s.attributes[0].key, "http.route");
  EXPECT_EQ(s.attributes[0].value, "/orders");
  EXPECT_EQ(s.attributes[1].key, "user.id");
  EXPECT_EQ(s.attributes[1].value, std::nullopt) << "a bare true means: present";
  EXPECT_EQ(s.attributes[2].value, "true") << "a quoted \"true\" is the value";
  EXPECT_TRUE(s.no_orphans);
  EXPECT_TRUE(s.single_root);
}

TEST(CheckSpec, StructureDefaultsCountAtLeastOneWithoutARelation) {
  const auto s = SpecOf<StructureSpec>("structure: {select: span}");
  EXPECT_EQ(s.relation, Relation::kNone);
  EXPECT_FALSE(s.related);
  EXPECT_EQ(s.count.op, Comparison::Op::kGe);
  EXPECT_EQ(s.count.value, 1);
  EXPECT_EQ(s.count.text, ">= 1");
  EXPECT_TRUE(s.attributes.empty());
  EXPECT_FALSE(s.no_orphans);
  EXPECT_FALSE(s.single_root);
}

TEST(CheckSpec, PropagationHoldsBoundsAndWhatQueueConsumersMustBe) {
  const auto p = SpecOf<PropagationSpec>(
      "propagation: {broken_traces: '< 1%', detached: '<= 3', tracestate: true, "
      "queues: {expect: link, lost: '== 0', redelivered: '<= 25'}}");
  EXPECT_TRUE(p.broken_traces.percent);
  EXPECT_DOUBLE_EQ(p.broken_traces.value, 0.01);
  ASSERT_TRUE(p.detached);
  EXPECT_EQ(p.detached->text, "<= 3");
  EXPECT_TRUE(p.tracestate);
  EXPECT_TRUE(p.expect_links);
  ASSERT_TRUE(p.lost);
  EXPECT_EQ(p.lost->text, "== 0");
  ASSERT_TRUE(p.redelivered);
  EXPECT_EQ(p.redelivered->value, 25);

  const auto defaults = SpecOf<PropagationSpec>("propagation:");
  EXPECT_EQ(defaults.broken_traces.op, Comparison::Op::kEq);
  EXPECT_EQ(defaults.broken_traces.value, 0);
  EXPECT_EQ(defaults.broken_traces.text, "== 0");
  EXPECT_FALSE(defaults.detached);
  EXPECT_FALSE(defaults.tracestate);
  EXPECT_FALSE(defaults.expect_links) << "consumers are children unless the scenario says link";
  EXPECT_FALSE(defaults.lost);
  EXPECT_FALSE(defaults.redelivered);
}

TEST(CheckSpec, SamplingHoldsHeadRatioConfidenceAndTailPolicy) {
  const auto s = SpecOf<SamplingSpec>(
      "sampling: {head_ratio: 0.25, confidence: 0.99, parent_based: false, "
      "tail: {keep_errors: true, keep_slower_than: 500ms, ratio: 0.1}}");
  EXPECT_EQ(s.head_ratio, 0.25);
  EXPECT_DOUBLE_EQ(s.confidence, 0.99);
  EXPECT_FALSE(s.parent_based);
  ASSERT_TRUE(s.tail);
  EXPECT_TRUE(s.tail->keep_errors);
  EXPECT_EQ(s.tail->keep_slower_than, milliseconds(500));
  EXPECT_EQ(s.tail->ratio, 0.1);

  const auto defaults = SpecOf<SamplingSpec>("sampling:");
  EXPECT_FALSE(defaults.head_ratio) << "then the services' configured ratio is tested";
  EXPECT_DOUBLE_EQ(defaults.confidence, 0.999);
  EXPECT_TRUE(defaults.parent_based);
  EXPECT_FALSE(defaults.tail);
}

TEST(CheckSpec, LatencyHoldsPercentilesInTheOrderWrittenAndShapeBounds) {
  const auto l = SpecOf<LatencySpec>(R"(
latency:
  p99: { select: "span[kind=SERVER]", max: 800ms }
  p50: { select: span, max: 20ms }
  critical_path_top: stripe POST /v1/charges
  slow_traces: 10%
  gaps: { max: 5ms }
  sequential: { max: "<= 3" }
  fattest_leaf: { max: 1s }
)");
  ASSERT_EQ(l.percentiles.size(), 2u);
  EXPECT_EQ(l.percentiles[0].name, "p99");
  EXPECT_DOUBLE_EQ(l.percentiles[0].percentile, 99);
  EXPECT_EQ(l.percentiles[0].select.text(), "span[kind=SERVER]");
  EXPECT_EQ(l.percentiles[0].max, milliseconds(800));
  EXPECT_EQ(l.percentiles[1].name, "p50");
  EXPECT_EQ(l.critical_path_top, "stripe POST /v1/charges");
  EXPECT_DOUBLE_EQ(l.slow_traces, 0.1);
  EXPECT_EQ(l.gaps_max, milliseconds(5));
  ASSERT_TRUE(l.sequential_max);
  EXPECT_EQ(l.sequential_max->op, Comparison::Op::kLe);
  EXPECT_EQ(l.sequential_max->value, 3);
  EXPECT_EQ(l.fattest_leaf_max, std::chrono::seconds(1));

  const auto p999 = SpecOf<LatencySpec>("latency: {p999: {select: span, max: 2s}}");
  EXPECT_DOUBLE_EQ(p999.percentiles.at(0).percentile, 99.9);
  EXPECT_DOUBLE_EQ(p999.slow_traces, 0.05);
  EXPECT_FALSE(p999.critical_path_top);
  EXPECT_FALSE(p999.gaps_max);
}

TEST(CheckSpec, ThroughputHoldsLossAndRates) {
  const auto t = SpecOf<ThroughputSpec>(
      "throughput: {loss: '< 1%', min_spans_per_s: 500, min_requests_per_s: 100, "
      "rate_within: 10%}");
  EXPECT_EQ(t.loss.op, Comparison::Op::kLt);
  EXPECT_TRUE(t.loss.percent);
  EXPECT_EQ(t.min_spans_per_s, 500);
  EXPECT_EQ(t.min_requests_per_s, 100);
  EXPECT_DOUBLE_EQ(t.rate_within.value_or(0), 0.1);

  const auto defaults = SpecOf<ThroughputSpec>("throughput:");
  EXPECT_EQ(defaults.loss.text, "== 0");
  EXPECT_FALSE(defaults.min_spans_per_s);
  EXPECT_FALSE(defaults.min_requests_per_s);
  EXPECT_FALSE(defaults.rate_within);
}

TEST(CheckSpec, HygieneHoldsCardinalityIgnoredKeysAndBounds) {
  const auto h = SpecOf<HygieneSpec>(
      "hygiene: {max_cardinality: 20, ignore_keys: [user.id, order.id], clock_skew: '<= 2', "
      "missing_service_name: '< 5%'}");
  EXPECT_EQ(h.max_cardinality, 20);
  EXPECT_EQ(h.ignore_keys, (std::vector<std::string>{"user.id", "order.id"}));
  EXPECT_EQ(h.clock_skew.text, "<= 2");
  EXPECT_TRUE(h.missing_service_name.percent);

  const auto defaults = SpecOf<HygieneSpec>("hygiene:");
  EXPECT_EQ(defaults.max_cardinality, 100);
  EXPECT_TRUE(defaults.ignore_keys.empty());
  EXPECT_EQ(defaults.clock_skew.text, "== 0");
  EXPECT_EQ(defaults.missing_service_name.text, "== 0");
}

TEST(CheckSpec, OptionErrorsNameTheFileLineAndColumnOfTheOption) {
  try {
    Parse("structure:\n  select: span\n  count: '>= 5%'\n");
    FAIL() << "no error";
  } catch (const LoadError& e) {
    EXPECT_STREQ(e.what(),
                 "s.yaml:3:10: 'count' compares a number of spans, not '>= 5%' (e.g. \">= 1\", "
                 "\"== 0\")");
  }
}

TEST(CheckSpec, SoundOnSampleIsReadOffTheSpec) {
  auto sound = [](const std::string& yaml) { return SoundOnSample(Parse(yaml)); };
  EXPECT_TRUE(sound("structure: {select: span, child: span}")) << "judged span by span";
  EXPECT_TRUE(sound("structure: {select: span, count: '== 0'}"));
  EXPECT_FALSE(sound("structure: {select: span}")) << "'>= 1' over the run: a sample has fewer";
  EXPECT_TRUE(sound("propagation:"));
  EXPECT_FALSE(sound("propagation: {detached: '< 5%'}"));
  EXPECT_FALSE(sound("propagation: {queues: {redelivered: '>= 1'}}"));
  EXPECT_TRUE(sound("sampling:"));
  EXPECT_FALSE(sound("latency: {p50: {select: span, max: 1s}}"));
  EXPECT_FALSE(sound("throughput:"));
  EXPECT_TRUE(sound("hygiene:"));
  EXPECT_FALSE(sound("hygiene: {clock_skew: '>= 1'}"));
}

TEST(CheckSpec, ACopyBuildsTheSameCheck) {
  testing::RunDataBuilder b;
  b.NewTrace();
  b.Span("gateway", "GET /").Kind(SpanKind::kServer);
  const RunData data = b.Build();
  const CheckSpec original = Parse("structure: {select: 'span[kind=CLIENT]', count: '>= 1'}");
  CheckSpec copy = original;
  const CheckResult a = MakeCheck(original)->Run(data);
  const CheckResult c = MakeCheck(copy)->Run(data);
  EXPECT_FALSE(a.passed);
  EXPECT_EQ(a.label, c.label);
  EXPECT_EQ(a.reason, c.reason);
  std::get<StructureSpec>(copy.options).count.op = Comparison::Op::kGe;
  std::get<StructureSpec>(copy.options).count.value = 0;
  EXPECT_TRUE(MakeCheck(copy)->Run(data).passed) << "the copy is its own";
  EXPECT_FALSE(MakeCheck(original)->Run(data).passed);
}

}  // namespace
}  // namespace traceproof
