// The checks' compact view of the sink's traces (checks/sink_index.h): a run that lets it
// forget holds only the traces of the last forget_after, whatever the run's length; one that
// does not (a batch judge) keeps every trace; a claim made before its trace arrives holds.
#include "checks/sink_index.h"

#include <gtest/gtest.h>

#include "run_data_builder.h"

namespace traceproof {
namespace {

using namespace std::chrono_literals;
using checks::SinkIndex;
using checks::SinkIndexOptions;
using testing::RunDataBuilder;

const Clock::time_point kT0 = Clock::time_point{} + 1h;

// `n` one-span traces, one every 10 ms of the sink's clock.
std::vector<Trace> Traces(int n) {
  RunDataBuilder b;
  for (int i = 0; i < n; ++i) {
    b.NewTrace();
    b.Span("gateway", "GET /").Kind(SpanKind::kServer);
  }
  const RunData data = b.Build();
  std::vector<Trace> out;
  for (std::size_t i = 0; i < data.traces.size(); ++i) {
    out.push_back(*data.traces[i]);
    out.back().last_seen = kT0 + 10ms * i;
  }
  return out;
}

TEST(SinkIndex, ForgetsTracesOlderThanItsBoundAndOnlyThose) {
  const std::vector<Trace> traces = Traces(3000);  // 30 s of the sink's clock
  SinkIndex index(SinkIndexOptions{{"gateway"}, true, 5s});
  std::size_t most = 0;
  for (const Trace& t : traces) {
    index.Add(t);
    most = std::max(most, index.traces_held());
  }
  EXPECT_LE(most, 501u);  // 5 s of traces, one every 10 ms
  EXPECT_GE(most, 500u);
  EXPECT_EQ(index.span_count(), 3000u);  // every span counted, forgotten or not
  EXPECT_EQ(index.Find(traces.front().id), nullptr);
  ASSERT_NE(index.Find(traces.back().id), nullptr);
  EXPECT_TRUE(index.HasSpan(traces.back().id, traces.back().spans[0].span_id));
  EXPECT_FALSE(index.HasSpan(traces.back().id, traces.front().spans[0].span_id));
  EXPECT_TRUE(index.Find(traces.back().id)->entry_root);
}

TEST(SinkIndex, WithoutABoundKeepsTheWholeRun) {
  const std::vector<Trace> traces = Traces(3000);
  SinkIndex index(SinkIndexOptions{{}, false, std::nullopt});
  for (const Trace& t : traces) index.Add(t);
  EXPECT_EQ(index.traces_held(), 3000u);
  ASSERT_NE(index.Find(traces.front().id), nullptr);
  EXPECT_FALSE(index.Find(traces.front().id)->entry_root);  // gateway is no entry service here
  EXPECT_FALSE(index.HasSpan(traces.front().id, traces.front().spans[0].span_id));  // no ids
}

TEST(SinkIndex, AClaimBeforeTheTraceArrivesIsKeptForIt) {
  const std::vector<Trace> traces = Traces(2);
  SinkIndex index(SinkIndexOptions{{}, true, 5s});
  EXPECT_EQ(index.Claim(traces[1].id, 42), nullptr);  // not at the sink yet
  EXPECT_EQ(index.Find(traces[1].id), nullptr);       // a claim is no arrival
  const checks::SinkTraceFacts& facts = index.Add(traces[1]);
  EXPECT_EQ(facts.claimed_by, std::vector<std::uint64_t>{42});
  EXPECT_EQ(facts.roots, 1u);
}

}  // namespace
}  // namespace traceproof
