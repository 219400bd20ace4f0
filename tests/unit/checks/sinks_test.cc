// The sink tier's checks: `sinks` fails on a trace split over two sinks, naming the trace and
// both sinks, and passes when every trace is whole on one; a sink that got nothing fails too.
// The throughput check attributes loss to the sink the lost spans were routed to.
#include <gtest/gtest.h>

#include "checks/check_test_util.h"
#include "checks/run_data_builder.h"

namespace traceproof {
namespace {

using testing::CheckFromYaml;
using testing::LoadErrorOf;
using testing::RunDataBuilder;

// Sink i of a tier, holding the traces numbered in `traces` (RunDataBuilder::TraceIdOf).
SinkRouting Sink(int i, std::vector<int> traces) {
  SinkRouting s;
  s.name = "sink " + std::to_string(i);
  s.endpoint = "127.0.0.1:" + std::to_string(4417 + 10 * i);
  for (int t : traces) s.trace_ids.insert(RunDataBuilder::TraceIdOf(t));
  s.spans_received = traces.size();
  return s;
}

TEST(SinksCheck, ATraceOnTwoSinksFailsNamingTheTraceAndBothSinks) {
  RunData data;
  data.sinks = {Sink(0, {1, 2, 5}), Sink(1, {3}), Sink(2, {4, 5})};
  const CheckResult r = CheckFromYaml("sinks:")->Run(data);
  EXPECT_FALSE(r.passed);
  const std::string hex = RunDataBuilder::TraceIdOf(5).Hex();
  EXPECT_NE(r.reason.find("1 traces split over sinks (trace " + hex + " on sinks 0 and 2)"),
            std::string::npos)
      << r.reason;
  EXPECT_NE(r.reason.find("want == 0"), std::string::npos) << r.reason;
  EXPECT_EQ(r.evidence, std::vector<std::string>{hex});
  EXPECT_EQ(r.details["split_traces"], 1);
  // A bound that allows one split passes the same run.
  EXPECT_TRUE(CheckFromYaml("sinks: { split_traces: '<= 1' }")->Run(data).passed);
}

TEST(SinksCheck, EveryTraceWholeOnOneSinkPasses) {
  RunData data;
  data.sinks = {Sink(0, {1, 2}), Sink(1, {3}), Sink(2, {4, 5})};
  const CheckResult r = CheckFromYaml("sinks:")->Run(data);
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_EQ(r.reason, "0 traces split over sinks; traces per sink: sink 0 2, sink 1 1, sink 2 2");
  EXPECT_TRUE(r.evidence.empty());
}

TEST(SinksCheck, ATraceOnThreeSinksIsOneSplitTrace) {
  RunData data;
  data.sinks = {Sink(0, {7}), Sink(1, {7}), Sink(2, {7})};
  const CheckResult r = CheckFromYaml("sinks:")->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.details["split_traces"], 1);
  EXPECT_NE(r.reason.find("on sinks 0 and 1 and 2"), std::string::npos) << r.reason;
}

TEST(SinksCheck, ASinkThatGotNoTraceFails) {
  RunData data;
  data.sinks = {Sink(0, {1, 2}), Sink(1, {}), Sink(2, {3})};
  const CheckResult r = CheckFromYaml("sinks:")->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("1 sinks got no trace, want == 0"), std::string::npos) << r.reason;
  EXPECT_TRUE(CheckFromYaml("sinks: { idle_sinks: '<= 1' }")->Run(data).passed);
}

TEST(SinksCheck, OneSinkHasNothingToSplit) {
  const CheckResult r = CheckFromYaml("sinks:")->Run(RunData{});
  EXPECT_TRUE(r.passed);
  EXPECT_EQ(r.reason, "one sink: no trace can be split");
}

TEST(SinksCheck, OptionsAreCheckedWhenTheScenarioLoads) {
  EXPECT_NE(LoadErrorOf("sinks: { split_trace: 0 }").find("did you mean 'split_traces'"),
            std::string::npos)
      << LoadErrorOf("sinks: { split_trace: 0 }");
  EXPECT_NE(LoadErrorOf("sinks: { idle_sinks: 10ms }"), "");
}

// Traces 1..6, one span each; 4, 5 and 6 never reached a sink. Sink 1 held trace 3.
RunData KilledSinkRun(bool two_killed) {
  RunDataBuilder b;
  for (int i = 1; i <= 6; ++i) {
    b.NewTrace();
    auto s = b.Span("gateway", "GET /").Kind(SpanKind::kServer);
    if (i >= 4) s.Lost();
  }
  RunData data = b.Build();
  data.sinks = {Sink(0, {1, 2}), Sink(1, {3}), Sink(2, {})};
  data.sinks[1].killed_at_s = 4;
  data.sinks[1].collector_failed_exports = 2;
  if (two_killed) data.sinks[2].killed_at_s = 5;
  data.hops = {{"services", 6, 6, {}, ""},
               {"collector", 6, 6, {}, ""},
               {"sink 0", 2, 2, {}, "sinks"},
               {"sink 1", 1, 1, {}, "sinks"},
               {"sink 2", 0, 0, {}, "sinks"}};
  return data;
}

TEST(ThroughputCheck, LossAfterASinkWasKilledIsAttributedToThatSink) {
  const CheckResult r = CheckFromYaml("throughput:")->Run(KilledSinkRun(false));
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("lost 3 of 6 spans (50.0%): sink 1 (127.0.0.1:4427) killed at 4 s: 3 "
                          "spans lost, routed to it (0 in traces it had received part of, 3 in "
                          "traces that reached no sink"),
            std::string::npos)
      << r.reason;
  EXPECT_NE(r.reason.find("the Collector's log reports failed exports to 127.0.0.1:4427 (sink 1) "
                          "in 2 lines, to sink 0 and sink 2 none"),
            std::string::npos)
      << r.reason;
  // The sinks side by side: what the Collector passed on is compared with their sum.
  EXPECT_NE(r.reason.find("3 lost between collector and sinks (sink 0 + sink 1 + sink 2)"),
            std::string::npos)
      << r.reason;
  EXPECT_EQ(r.details["lost_by_sink"]["sink 1"], 3);
  EXPECT_EQ(r.details["lost_by_sink"]["sink 0"], 0);
}

TEST(ThroughputCheck, LossInTracesThatReachedNoSinkIsNotGuessedWhenTwoSinksWereKilled) {
  const CheckResult r = CheckFromYaml("throughput:")->Run(KilledSinkRun(true));
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("3 spans lost in traces that reached no sink (more than one sink was "
                          "killed: not attributed)"),
            std::string::npos)
      << r.reason;
  EXPECT_EQ(r.reason.find("routed to it"), std::string::npos) << r.reason;
}

TEST(ThroughputCheck, ATierThatGotEverythingAccountsExactly) {
  RunData data = KilledSinkRun(false);
  data.sinks[1].killed_at_s.reset();
  data.hops = {{"services", 3, 3, {}, ""},
               {"collector", 3, 3, {}, ""},
               {"sink 0", 2, 2, {}, "sinks"},
               {"sink 1", 1, 1, {}, "sinks"}};
  data.truth.resize(3);  // the three traces that arrived
  const CheckResult r = CheckFromYaml("throughput:")->Run(data);
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_NE(r.reason.find("every span accounted for hop by hop"), std::string::npos) << r.reason;
}

}  // namespace
}  // namespace traceproof
