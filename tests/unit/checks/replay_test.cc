// `traceproof check` judges recorded traces.jsonl records; the run judged the traces the sink
// assembled. These tests feed both to the same checks and assert the results are identical,
// for passing checks and their failing twins, and that a record is rebuilt faithfully.
#include <gtest/gtest.h>

#include "check_test_util.h"
#include "checks/run_data_builder.h"
#include "report/trace_from_json.h"
#include "report/trace_json.h"
#include "report/trace_record_writer.h"

namespace traceproof {
namespace {

using testing::CheckFromYaml;
using testing::RunDataBuilder;

// Every trace written as traces.jsonl writes it and read back as `traceproof check` reads it.
RunData Replayed(const RunData& data) {
  RunData again = data;
  again.traces.clear();
  for (const auto& t : data.traces) {
    std::string error;
    const std::string line = TraceToJson(*t).dump();
    auto back = TraceFromJson(nlohmann::json::parse(line), error);
    EXPECT_TRUE(back) << error;
    if (back) again.traces.push_back(*back);
  }
  return again;
}

RunData Checkout(bool broken) {
  RunDataBuilder b;
  for (int i = 0; i < 20; ++i) {
    b.NewTrace();
    const int root = b.Span("gateway", "POST /checkout")
                         .Kind(SpanKind::kServer)
                         .Times(0, 100 + i)
                         .Attr("http.route", "/checkout")
                         .Attr("retries", std::int64_t{i % 3})
                         .Attr("ratio", 0.5)
                         .Attr("cached", i % 2 == 0);
    const int call = b.Span("gateway", "POST payments")
                         .Kind(SpanKind::kClient)
                         .Parent(root)
                         .Times(10, 90)
                         .TraceState("vendor=1");
    auto child = b.Span("payments", "charge")
                     .Kind(SpanKind::kServer)
                     .Times(20, 80)
                     .TraceState(broken && i % 4 == 0 ? "" : "vendor=1")
                     .Attr("user.id", "u" + std::to_string(broken ? i : i % 2));
    if (broken && i % 5 == 0) {
      child.ExpectedParent(call);  // the context was dropped: a root of its own
    } else {
      child.Parent(call);
    }
    if (broken && i == 7) child.Status(StatusCode::kError);
  }
  return b.Build();
}

const char* const kChecks[] = {
    "structure: { select: 'span[service=\"gateway\" kind=SERVER]', single_root: true, "
    "no_orphans: true }",
    "structure: { select: 'span[kind=SERVER]', attributes: { http.route: /checkout } }",
    "propagation: { broken_traces: '== 0', tracestate: true }",
    "sampling: { parent_based: true }",
    "latency: { p99: { select: 'span[kind=SERVER]', max: 110ms }, critical_path_top: gateway }",
    "latency: { gaps: { max: 5ms }, fattest_leaf: { max: 50ms } }",
    "throughput: { loss: '== 0' }",
    "hygiene: { max_cardinality: 5, clock_skew: '== 0' }",
};

void ExpectSame(const CheckResult& a, const CheckResult& b, const std::string& what) {
  EXPECT_EQ(a.passed, b.passed) << what;
  EXPECT_EQ(a.label, b.label) << what;
  EXPECT_EQ(a.reason, b.reason) << what;
  EXPECT_EQ(a.evidence, b.evidence) << what;
  EXPECT_EQ(a.details.dump(), b.details.dump()) << what;
}

TEST(Replay, RecordedTracesGiveTheRunsResultsForEveryCheckAndItsBrokenTwin) {
  int failed_on_broken = 0;
  for (bool broken : {false, true}) {
    const RunData run = Checkout(broken);
    const RunData again = Replayed(run);
    ASSERT_EQ(run.traces.size(), again.traces.size());
    for (const char* yaml : kChecks) {
      const auto check = CheckFromYaml(yaml);
      const CheckResult a = check->Run(run);
      ExpectSame(a, check->Run(again), std::string(broken ? "broken: " : "") + yaml);
      if (broken && !a.passed) ++failed_on_broken;
    }
  }
  // The twin is broken where it should be: these comparisons compared failures too.
  EXPECT_GE(failed_on_broken, 4);
}

TEST(Replay, ARecordIsRebuiltSpanForSpan) {
  const RunData run = Checkout(false);
  const RunData again = Replayed(run);
  for (std::size_t i = 0; i < run.traces.size(); ++i)
    EXPECT_EQ(TraceToJson(*run.traces[i]).dump(), TraceToJson(*again.traces[i]).dump());
}

TEST(Replay, AnUpdateRecordComesBackAsLateSpansOfTheirOwn) {
  const RunData run = Checkout(false);
  Trace late = *run.traces[0];
  late.follows_evicted = true;  // as a streaming run hands late spans out
  nlohmann::json record = TraceToJson(late);
  ASSERT_TRUE(record.value("update", false));
  std::string error;
  auto back = TraceFromJson(record, error);
  ASSERT_TRUE(back) << error;
  EXPECT_TRUE((*back)->IsUpdate());
  EXPECT_EQ((*back)->NewSpanCount(), late.spans.size());
}

TEST(Replay, ABadRecordNamesTheField) {
  nlohmann::json record = TraceToJson(*Checkout(false).traces[0]);
  record["spans"][1]["span_id"] = "xyz";
  std::string error;
  EXPECT_FALSE(TraceFromJson(record, error));
  EXPECT_EQ(error, "spans[1].span_id: not 16 hex digits");
}

TEST(TraceRecords, FailingKeepsErrorsAndBrokenShapesOnly) {
  const RunData broken = Checkout(true);
  int failing = 0;
  for (const auto& t : broken.traces) failing += TraceLooksFailing(*t) ? 1 : 0;
  // Traces 0, 5, 10, 15 lost their context (two roots) and trace 7 has an ERROR span.
  EXPECT_EQ(failing, 5);
  for (const auto& t : Checkout(false).traces) EXPECT_FALSE(TraceLooksFailing(*t));
  EXPECT_EQ(ParseTraceRecords("sample"), TraceRecords::kSample);
  EXPECT_FALSE(ParseTraceRecords("some"));
}

}  // namespace
}  // namespace traceproof
