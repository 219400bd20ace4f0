#include <gtest/gtest.h>

#include "checks/check_test_util.h"
#include "checks/run_data_builder.h"

namespace traceproof {
namespace {

using testing::CheckFromYaml;
using testing::LoadErrorOf;
using testing::RunDataBuilder;

// `n` one-span requests; the ones in `lost` never reach the sink.
RunData Requests(int n, std::vector<int> lost = {}) {
  RunDataBuilder b;
  for (int i = 1; i <= n; ++i) {
    b.NewTrace();
    auto s = b.Span("gateway", "GET /").Kind(SpanKind::kServer);
    if (std::find(lost.begin(), lost.end(), i) != lost.end()) s.Lost();
  }
  return b.Build();
}

TEST(ThroughputCheck, NoLossPasses) {
  const CheckResult r = CheckFromYaml("throughput:")->Run(Requests(10));
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_EQ(r.reason, "lost 0 of 10 spans (0.0%)");
}

TEST(ThroughputCheck, LostSpansFailWithEvidence) {
  const RunData data = Requests(20, {3, 7});
  CheckResult r = CheckFromYaml("throughput: {}")->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("lost 2 of 20 spans (10.0%)"), std::string::npos) << r.reason;
  EXPECT_EQ(r.evidence, (std::vector<std::string>{RunDataBuilder::TraceIdOf(3).Hex(),
                                                  RunDataBuilder::TraceIdOf(7).Hex()}));
  EXPECT_TRUE(CheckFromYaml("throughput: {loss: '<= 10%'}")->Run(data).passed);
  EXPECT_FALSE(CheckFromYaml("throughput: {loss: '< 10%'}")->Run(data).passed);
}

TEST(ThroughputCheck, UnsampledSpansAreNotLoss) {
  RunDataBuilder b;
  b.NewTrace();
  b.Span("gateway", "GET /").NotSampled();
  b.NewTrace();
  b.Span("gateway", "GET /");
  EXPECT_TRUE(CheckFromYaml("throughput:")->Run(b.Build()).passed);
}

TEST(ThroughputCheck, ReconcilesHopByHopAndNamesWhereSpansWent) {
  RunData data = Requests(100, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  data.hops = {{"services", 100, 100, {}},
               {"collector", 100, 93, {{"queue_full", 7}}},
               {"sink", 90, 90, {}}};
  CheckResult r = CheckFromYaml("throughput:")->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("collector dropped 7 (queue_full 7)"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("3 lost between collector and sink"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("hop counters do not add up"), std::string::npos) << r.reason;
  EXPECT_EQ(r.details["accounted_exactly"], false);

  data.hops[2].received = 93;
  data.hops[2].passed_on = 90;
  data.hops[2].dropped = {{"invalid_span_id", 3}};
  r = CheckFromYaml("throughput:")->Run(data);
  EXPECT_NE(r.reason.find("every span accounted for hop by hop"), std::string::npos) << r.reason;
  EXPECT_EQ(r.details["accounted_exactly"], true);
}

// Span load has no ground truth: what the generator tried to send is the measure. The sink
// alone cannot see a request that never reached it (the twin without the sender hop passes,
// and says that what was sent is unknown).
TEST(ThroughputCheck, SpanLoadLossIsMeasuredFromTheSenderNotTheSink) {
  RunData data = Requests(90);
  data.truth.clear();
  data.hops = {{kSenderHopName, 100, 90, {{"request failed: timeout", 10}}}, {"sink", 90, 90, {}}};
  CheckResult r = CheckFromYaml("throughput:")->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("lost 10 of 100 spans (10.0%)"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("load generator dropped 10 (request failed: timeout 10)"),
            std::string::npos)
      << r.reason;

  data.hops[0] = {kSenderHopName, 90, 90, {}};
  r = CheckFromYaml("throughput:")->Run(data);
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_NE(r.reason.find("every span accounted for hop by hop"), std::string::npos) << r.reason;

  data.hops = {{"sink", 90, 90, {}}};
  r = CheckFromYaml("throughput:")->Run(data);
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_NE(r.reason.find("what was sent is unknown"), std::string::npos) << r.reason;
}

TEST(ThroughputCheck, RatesAgainstMinimaAndTarget) {
  RunData data = Requests(10);
  data.run_seconds = 2;
  data.load.sent = 180;
  data.load.duration_s = 2;
  data.load.target_rate_per_s = 100;
  EXPECT_TRUE(CheckFromYaml("throughput: {min_spans_per_s: 5}")->Run(data).passed);
  EXPECT_FALSE(CheckFromYaml("throughput: {min_spans_per_s: 6}")->Run(data).passed);
  EXPECT_TRUE(CheckFromYaml("throughput: {min_requests_per_s: 90}")->Run(data).passed);
  EXPECT_FALSE(CheckFromYaml("throughput: {min_requests_per_s: 91}")->Run(data).passed);
  EXPECT_TRUE(CheckFromYaml("throughput: {rate_within: 10%}")->Run(data).passed);
  const CheckResult r = CheckFromYaml("throughput: {rate_within: 5%}")->Run(data);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("achieved 90 of 100 requests/s targeted (10.0% off)"), std::string::npos)
      << r.reason;
}

TEST(ThroughputCheck, OptionsAreStrict) {
  EXPECT_NE(LoadErrorOf("throughput: {los: '== 0'}").find("did you mean 'loss'"),
            std::string::npos);
  EXPECT_NE(LoadErrorOf("throughput: {min_spans_per_s: -1}").find("must be > 0"),
            std::string::npos);
  EXPECT_NE(LoadErrorOf("throughput: {rate_within: 200%}").find("bad rate"), std::string::npos);
}

}  // namespace
}  // namespace traceproof
