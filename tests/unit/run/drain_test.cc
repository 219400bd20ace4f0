#include "run/drain.h"

#include <gtest/gtest.h>

namespace traceproof {
namespace {

using std::chrono::milliseconds;

DrainOptions Fast() {
  DrainOptions o;
  o.quiet = milliseconds(20);
  o.max = std::chrono::seconds(10);
  o.poll = milliseconds(1);
  return o;
}

TEST(Drain, SinkAloneSettlesOnceNothingMovedForTheQuietPeriod) {
  int calls = 0;
  DrainProbes p;
  p.moved = [&] { return static_cast<std::uint64_t>(std::min(++calls, 30)); };
  const DrainResult r = DrainUntilSettled(p, Fast());
  EXPECT_TRUE(r.settled);
  EXPECT_GT(calls, 30) << "it waited until the count stood still";
}

TEST(Drain, UpstreamThatHoldsSpansKeepsItWaitingUntilTheBound) {
  DrainProbes p;
  p.moved = [] { return std::uint64_t{7}; };
  p.holds_spans = [] { return std::optional<bool>(true); };
  DrainOptions o = Fast();
  o.max = milliseconds(60);
  EXPECT_FALSE(DrainUntilSettled(p, o).settled);
}

TEST(Drain, SettlesWhenUpstreamEmptiesAndTheCountThenStandsStill) {
  int holds_calls = 0;
  DrainProbes p;
  p.moved = [] { return std::uint64_t{7}; };
  p.holds_spans = [&] { return std::optional<bool>(++holds_calls < 15); };
  EXPECT_TRUE(DrainUntilSettled(p, Fast()).settled);
  EXPECT_GE(holds_calls, 15);
}

TEST(Drain, UpstreamThatCannotTellDecidesByTheLongerQuietOrNotAtAll) {
  DrainProbes p;
  p.moved = [] { return std::uint64_t{1}; };
  p.holds_spans = [] { return std::optional<bool>(); };
  DrainOptions o = Fast();
  o.max = milliseconds(80);
  EXPECT_FALSE(DrainUntilSettled(p, o).settled) << "no fallback: waits to the bound";
  o.max = std::chrono::seconds(10);
  o.quiet_when_unknown = milliseconds(30);
  EXPECT_TRUE(DrainUntilSettled(p, o).settled);
}

TEST(Drain, EverythingExpectedArrivedEndsItAtOnceWhileUpstreamHolds) {
  std::uint64_t n = 0;
  DrainProbes p;
  p.moved = [&] { return ++n; };  // never quiet
  p.holds_spans = [] { return std::optional<bool>(true); };
  p.all_arrived = [&] { return n >= 5; };
  EXPECT_TRUE(DrainUntilSettled(p, Fast()).settled);
  EXPECT_LT(n, 10u);
}

TEST(Drain, AStopRequestEndsItUnsettled) {
  std::atomic<bool> stop{true};
  DrainProbes p;
  p.moved = [] { return std::uint64_t{0}; };
  p.holds_spans = [] { return std::optional<bool>(true); };
  DrainOptions o = Fast();
  o.stop = &stop;
  EXPECT_FALSE(DrainUntilSettled(p, o).settled);
}

CollectorCounters Accepted(std::uint64_t accepted, std::uint64_t sent) {
  CollectorCounters c;
  c.scraped = true;
  c.receiver_accepted_spans = accepted;
  c.exporter_sent_spans = sent;
  return c;
}

TEST(CollectorHoldsNothing, EveryAcceptedSpanSentFailedOrRefusedByItsQueue) {
  EXPECT_TRUE(CollectorHoldsNothing(Accepted(100, 100), std::nullopt));
  EXPECT_FALSE(CollectorHoldsNothing(Accepted(100, 90), std::nullopt)) << "a batch not flushed";
  CollectorCounters c = Accepted(100, 90);
  c.exporter_send_failed_spans = 6;
  c.exporter_enqueue_failed_spans = 4;
  EXPECT_TRUE(CollectorHoldsNothing(c, std::nullopt));
  c.exporter_queue_size = 1;
  EXPECT_FALSE(CollectorHoldsNothing(c, std::nullopt)) << "a batch waits in the queue";
}

TEST(CollectorHoldsNothing, ATailSamplerHoldsUndecidedTracesAndSamplesOutWholeTraces) {
  CollectorCounters c = Accepted(100, 20);  // 20 traces of 5 spans: 4 kept, 16 not
  c.tail_sampling = true;
  c.tail_new_traces = 20;
  c.tail_traces_sampled = 4;
  c.tail_traces_not_sampled = 15;
  EXPECT_FALSE(CollectorHoldsNothing(c, 5)) << "one trace undecided";
  EXPECT_FALSE(CollectorHoldsNothing(c, std::nullopt));
  c.tail_traces_not_sampled = 16;
  EXPECT_TRUE(CollectorHoldsNothing(c, 5));
  EXPECT_TRUE(CollectorHoldsNothing(c, std::nullopt)) << "decisions decide without a span count";
  c.receiver_accepted_spans = 105;  // 5 spans of a decided trace still in a batch
  EXPECT_FALSE(CollectorHoldsNothing(c, 5));
}

}  // namespace
}  // namespace traceproof
