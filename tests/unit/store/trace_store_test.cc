#include "store/trace_store.h"

#include <gtest/gtest.h>

#include "report/trace_json.h"
#include "report/trace_records.h"
#include "store/trace_shape.h"
#include "test_requests.h"

namespace traceproof {
namespace {

using namespace testing;
using std::chrono::milliseconds;

// A store whose clock the test moves by hand.
struct ManualClock {
  Clock::time_point now = Clock::time_point{} + std::chrono::hours(1);
};

TraceStoreOptions Options(ManualClock& clock) {
  TraceStoreOptions o;
  o.quiet_period = milliseconds(100);
  o.clock = [&clock] { return clock.now; };
  return o;
}

TEST(TraceStore, SpanArrivingBeforeItsParentIsAdoptedWhenParentArrives) {
  ManualClock clock;
  TraceStore store(Options(clock));
  store.Consume(MakeBatch({{1, 2, 1}}));  // child first
  clock.now += milliseconds(50);
  store.Consume(MakeBatch({{1, 1, 0}}));  // then the root
  clock.now += milliseconds(100);
  auto done = store.CollectCompleted();
  ASSERT_EQ(done.size(), 1u);
  TraceShape shape = AnalyzeTrace(*done[0]);
  EXPECT_TRUE(shape.orphans.empty());
  ASSERT_EQ(shape.roots.size(), 1u);
  ASSERT_EQ(shape.children[shape.roots[0]].size(), 1u);
  EXPECT_EQ(store.counters().orphan_spans.load(), 0u);
}

TEST(TraceStore, TraceCompletesOnlyAfterTheQuietPeriod) {
  ManualClock clock;
  TraceStore store(Options(clock));
  store.Consume(MakeBatch({{1, 1, 0}}));
  clock.now += milliseconds(99);
  EXPECT_TRUE(store.CollectCompleted().empty());
  store.Consume(MakeBatch({{1, 2, 1}}));  // activity restarts the quiet period
  clock.now += milliseconds(99);
  EXPECT_TRUE(store.CollectCompleted().empty());
  clock.now += milliseconds(1);
  auto done = store.CollectCompleted();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0]->spans.size(), 2u);
  EXPECT_TRUE(store.CollectCompleted().empty()) << "a trace is handed out once per completion";
}

TEST(TraceStore, ParentThatNeverArrivesMakesAnOrphan) {
  ManualClock clock;
  TraceStore store(Options(clock));
  store.Consume(MakeBatch({{1, 1, 0}, {1, 3, 2}}));  // span 3's parent 2 never comes
  clock.now += milliseconds(100);
  auto done = store.CollectCompleted();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(AnalyzeTrace(*done[0]).orphans.size(), 1u);
  EXPECT_EQ(store.counters().orphan_spans.load(), 1u);
}

TEST(TraceStore, ReportsMultipleRootsDuplicatesAndClockSkew) {
  ManualClock clock;
  TraceStore store(Options(clock));
  store.Consume(MakeBatch({
      {1, 1, 0, 1000, 2000},
      {1, 2, 0, 1000, 2000},  // second root
      {1, 3, 1, 900, 1500},   // starts before its parent: skew
      {1, 4, 1, 1100, 2100},  // ends after its parent: skew
      {1, 4, 1, 1100, 1200},  // duplicate span id
  }));
  clock.now += milliseconds(100);
  auto done = store.CollectCompleted();
  ASSERT_EQ(done.size(), 1u);
  TraceShape shape = AnalyzeTrace(*done[0]);
  EXPECT_EQ(shape.roots.size(), 2u);
  EXPECT_EQ(shape.duplicates.size(), 1u);
  EXPECT_EQ(shape.skewed.size(), 2u);
  const auto& c = store.counters();
  EXPECT_EQ(c.multi_root_traces.load(), 1u);
  EXPECT_EQ(c.duplicate_span_ids.load(), 1u);
  EXPECT_EQ(c.skewed_spans.load(), 2u);
  // Skew is reported, not corrected: timestamps are as sent.
  bool found = false;
  for (const auto& s : done[0]->spans) {
    if (s.start_unix_ns == 900u) found = true;
  }
  EXPECT_TRUE(found);
}

TEST(TraceStore, LateSpanReopensACopyAndLeavesTheHandedOutTraceUntouched) {
  ManualClock clock;
  TraceStore store(Options(clock));
  store.Consume(MakeBatch({{1, 1, 0}}));
  clock.now += milliseconds(100);
  auto first = store.CollectCompleted();
  ASSERT_EQ(first.size(), 1u);
  store.Consume(MakeBatch({{1, 2, 1}}));
  EXPECT_EQ(first[0]->spans.size(), 1u);
  clock.now += milliseconds(100);
  auto second = store.CollectCompleted();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0]->spans.size(), 2u);
  EXPECT_EQ(second[0]->times_completed, 2);
  EXPECT_EQ(store.counters().late_spans.load(), 1u);
  EXPECT_EQ(store.counters().update_records.load(), 1u);
}

// `traceproof run`'s store: a completed trace leaves memory once handed out; a late span for
// it makes an update of the late spans alone, not a new trace.
TEST(TraceStore, ReleaseCollectedHoldsOnlyOpenTracesAndLateSpansStillUpdate) {
  ManualClock clock;
  TraceStoreOptions o = Options(clock);
  o.release_collected = true;
  TraceStore store(o);
  store.Consume(MakeBatch({{1, 1, 0}, {1, 2, 1}, {2, 3, 0}}));
  EXPECT_EQ(store.span_count(), 3u);
  clock.now += milliseconds(100);
  auto first = store.CollectCompleted();
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(store.span_count(), 0u);
  EXPECT_EQ(store.trace_count(), 0u);
  EXPECT_EQ(store.counters().released_traces.load(), 2u);
  EXPECT_EQ(store.counters().evicted_traces.load(), 0u);           // let go, not lost
  EXPECT_EQ(first[0]->spans.size() + first[1]->spans.size(), 3u);  // handed out whole
  store.Consume(MakeBatch({{1, 4, 2}}));
  clock.now += milliseconds(100);
  auto late = store.CollectCompleted();
  ASSERT_EQ(late.size(), 1u);
  EXPECT_TRUE(late[0]->IsUpdate());
  EXPECT_TRUE(late[0]->follows_evicted);
  EXPECT_EQ(late[0]->NewSpanCount(), 1u);
  EXPECT_EQ(store.counters().update_records.load(), 1u);
}

std::vector<nlohmann::json> Records(const std::vector<std::shared_ptr<const Trace>>& traces) {
  std::vector<nlohmann::json> out;
  for (const auto& t : traces) out.push_back(TraceToJson(*t));
  return out;
}

TEST(TraceStore, ALateSpanIsWrittenAsOneUpdateRecordWithOnlyTheNewSpans) {
  ManualClock clock;
  TraceStore store(Options(clock));
  store.Consume(MakeBatch({{1, 1, 0}, {1, 2, 1}}));
  clock.now += milliseconds(100);
  std::vector<nlohmann::json> records = Records(store.CollectCompleted());
  store.Consume(MakeBatch({{1, 3, 2}}));
  store.Consume(MakeBatch({{1, 4, 2}}));
  clock.now += milliseconds(100);
  const auto update = Records(store.CollectCompleted());
  ASSERT_EQ(update.size(), 1u);
  EXPECT_TRUE(update[0].value("update", false));
  EXPECT_EQ(update[0]["late_spans"], 2);
  ASSERT_EQ(update[0]["spans"].size(), 2u);
  for (const auto& late : update[0]["spans"]) {
    for (const auto& written : records[0]["spans"]) EXPECT_NE(late["span_id"], written["span_id"]);
  }
  EXPECT_FALSE(records[0].value("update", false));
  EXPECT_TRUE(Records(store.CollectCompleted(true)).empty()) << "no second update";

  records.insert(records.end(), update.begin(), update.end());
  const auto folded = FoldTraceRecords(records);
  ASSERT_EQ(folded.size(), 1u);
  EXPECT_EQ(folded[0]["spans"].size(), 4u);
  EXPECT_EQ(folded[0]["late_spans"], 2);
  EXPECT_TRUE(folded[0]["orphans"].empty());
  EXPECT_EQ(folded[0]["roots"].size(), 1u);
  EXPECT_FALSE(folded[0].contains("update"));
}

TEST(TraceStore, AParentArrivingLateIsNoOrphanOnceFolded) {
  ManualClock clock;
  TraceStore store(Options(clock));
  store.Consume(MakeBatch({{1, 1, 0}, {1, 3, 2}}));  // span 3's parent 2 comes later
  clock.now += milliseconds(100);
  std::vector<nlohmann::json> records = Records(store.CollectCompleted());
  ASSERT_EQ(records[0]["orphans"].size(), 1u);  // true when it was written
  EXPECT_EQ(store.counters().orphan_spans.load(), 1u);
  store.Consume(MakeBatch({{1, 2, 1}}));
  clock.now += milliseconds(100);
  for (auto& r : Records(store.CollectCompleted())) records.push_back(std::move(r));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(store.counters().orphan_spans.load(), 0u) << "the late parent takes the orphan back";
  const auto folded = FoldTraceRecords(records);
  ASSERT_EQ(folded.size(), 1u);
  EXPECT_TRUE(folded[0]["orphans"].empty()) << folded[0].dump();
  // The broken twin: without the update the child is an orphan.
  EXPECT_EQ(FoldTraceRecords({records[0]})[0]["orphans"].size(), 1u);
}

TEST(TraceStore, ASpanForAnEvictedTraceIsAnUpdateNotANewTraceWithOrphans) {
  ManualClock clock;
  TraceStoreOptions o = Options(clock);
  o.max_spans = 2;
  TraceStore store(o);
  store.Consume(MakeBatch({{1, 1, 0}, {1, 2, 1}}));
  clock.now += milliseconds(100);
  ASSERT_EQ(store.CollectCompleted().size(), 1u);
  ASSERT_EQ(store.Consume(MakeBatch({{2, 1, 0}})).status, ConsumeStatus::kAccepted);
  ASSERT_EQ(store.counters().evicted_traces.load(), 1u);
  store.Consume(MakeBatch({{1, 3, 2}}));  // trace 1's late span; its parent was evicted
  clock.now += milliseconds(100);
  const auto done = store.CollectCompleted();
  ASSERT_EQ(done.size(), 2u);
  EXPECT_NE(done[0]->follows_evicted, done[1]->follows_evicted);
  const auto& late = done[0]->follows_evicted ? done[0] : done[1];
  EXPECT_TRUE(late->IsUpdate());
  EXPECT_TRUE(late->follows_evicted);
  EXPECT_EQ(store.counters().orphan_spans.load(), 0u);
  EXPECT_EQ(store.counters().update_records.load(), 1u);
  EXPECT_EQ(store.counters().late_spans.load(), 1u);
  EXPECT_TRUE(TraceToJson(*late).value("update", false));
}

TEST(TraceStore, WhenFullEvictsCompletedTracesFirstAndCountsThem) {
  ManualClock clock;
  TraceStoreOptions o = Options(clock);
  o.max_spans = 4;
  TraceStore store(o);
  ASSERT_EQ(store.Consume(MakeBatch({{1, 1, 0}, {1, 2, 1}})).status, ConsumeStatus::kAccepted);
  clock.now += milliseconds(100);
  ASSERT_EQ(store.CollectCompleted().size(), 1u);
  ASSERT_EQ(store.Consume(MakeBatch({{2, 1, 0}, {2, 2, 1}})).status, ConsumeStatus::kAccepted);
  // Full: trace 1 is complete, so it is evicted to make room.
  ASSERT_EQ(store.Consume(MakeBatch({{3, 1, 0}})).status, ConsumeStatus::kAccepted);
  EXPECT_EQ(store.counters().evicted_traces.load(), 1u);
  EXPECT_EQ(store.counters().evicted_spans.load(), 2u);
  EXPECT_EQ(store.span_count(), 3u);
}

TEST(TraceStore, WhenFullOfOpenTracesRefusesTheWholeBatchAndCountsIt) {
  ManualClock clock;
  TraceStoreOptions o = Options(clock);
  o.max_spans = 3;
  TraceStore store(o);
  ASSERT_EQ(store.Consume(MakeBatch({{1, 1, 0}, {1, 2, 1}})).status, ConsumeStatus::kAccepted);
  ConsumeResult r = store.Consume(MakeBatch({{2, 1, 0}, {2, 2, 1}}));
  EXPECT_EQ(r.status, ConsumeStatus::kStoreFull);
  EXPECT_EQ(r.accepted_spans, 0u);
  EXPECT_EQ(store.counters().spans_refused_full.load(), 2u);
  EXPECT_EQ(store.span_count(), 2u);
}

TEST(TraceStore, ForceCompletesOpenTracesAtTheEnd) {
  ManualClock clock;
  TraceStore store(Options(clock));
  store.Consume(MakeBatch({{1, 1, 0}, {2, 1, 0}}));
  EXPECT_TRUE(store.CollectCompleted().empty());
  EXPECT_EQ(store.CollectCompleted(/*force=*/true).size(), 2u);
}

TEST(TraceStore, ConcurrentConsumersLoseNothing) {
  TraceStore store;
  constexpr int kThreads = 4, kBatches = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, t] {
      for (int b = 0; b < kBatches; ++b) {
        int trace = t * kBatches + b + 1;
        store.Consume(MakeBatch({{trace, 1, 0}, {trace, 2, 1}, {trace, 3, 2}}));
      }
    });
  }
  for (auto& th : threads) th.join();
  auto done = store.CollectCompleted(true);
  EXPECT_EQ(done.size(), static_cast<std::size_t>(kThreads * kBatches));
  for (const auto& trace : done) EXPECT_EQ(trace->spans.size(), 3u);
  EXPECT_EQ(store.counters().spans_accepted.load(), 3u * kThreads * kBatches);
}

}  // namespace
}  // namespace traceproof
