#include "sink/trace_sweeper.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "test_requests.h"

namespace traceproof {
namespace {

using namespace testing;
using std::chrono::milliseconds;

// Polls `done` for up to 10 s.
template <typename Predicate>
bool Eventually(Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

TraceStoreOptions Quiet(milliseconds quiet_period) {
  TraceStoreOptions o;
  o.quiet_period = quiet_period;
  return o;
}

TEST(TraceSweeper, CollectsQuietTracesAndCountsThem) {
  TraceStore store(Quiet(milliseconds(10)));
  std::atomic<std::size_t> spans_handed{0};
  std::atomic<std::size_t> sweeps{0}, sweeps_with_spans{0};
  TraceSweeper sweeper(store, {milliseconds(10),
                               [&](const auto& traces) {
                                 for (const auto& t : traces) spans_handed += t->spans.size();
                               },
                               [&] {
                                 ++sweeps;
                                 if (spans_handed.load() == 4) ++sweeps_with_spans;
                               }});
  ASSERT_EQ(store.Consume(MakeBatch({{1, 1, 0}, {1, 2, 1}, {2, 1, 0}, {3, 1, 0}})).status,
            ConsumeStatus::kAccepted);
  EXPECT_TRUE(Eventually([&] { return sweeper.traces_collected() == 3; }))
      << sweeper.traces_collected();
  EXPECT_EQ(spans_handed.load(), 4u);  // the reader was given every trace, whole
  EXPECT_EQ(store.counters().traces_completed.load(), 3u);
  // on_sweep follows every collection, with traces or none: it comes again after the last.
  EXPECT_TRUE(Eventually([&] { return sweeps_with_spans.load() >= 2; }));
  EXPECT_GE(sweeps.load(), sweeps_with_spans.load());
  // Nothing is left open: the sweeper took every trace.
  EXPECT_TRUE(store.CollectCompleted(true).empty());
}

TEST(TraceSweeper, KeepsABoundedStoreAccepting) {
  TraceStoreOptions o = Quiet(milliseconds(1));
  o.max_traces = 2;
  TraceStore store(o);
  TraceSweeper sweeper(store, {milliseconds(5), {}, {}});
  // Collected traces are evictable, so each new one finds room; without the sweeper the
  // third would be refused for good.
  for (int trace = 1; trace <= 10; ++trace) {
    EXPECT_TRUE(Eventually([&] {
      return store.Consume(MakeBatch({{trace, 1, 0}})).status == ConsumeStatus::kAccepted;
    })) << "trace "
        << trace;
  }
  EXPECT_LE(store.trace_count(), 2u);
  EXPECT_GT(store.counters().evicted_traces.load(), 0u);
}

TEST(TraceSweeper, StopCompletesAndCountsWhatIsStillOpen) {
  TraceStore store(Quiet(std::chrono::hours(1)));
  TraceSweeper sweeper(store, {milliseconds(5), {}, {}});
  ASSERT_EQ(store.Consume(MakeBatch({{1, 1, 0}, {2, 1, 0}})).status, ConsumeStatus::kAccepted);
  std::this_thread::sleep_for(milliseconds(30));
  EXPECT_EQ(sweeper.traces_collected(), 0u);  // not quiet for an hour
  sweeper.Stop();
  EXPECT_EQ(sweeper.traces_collected(), 2u);
  sweeper.Stop();
  EXPECT_EQ(sweeper.traces_collected(), 2u);
  EXPECT_TRUE(store.CollectCompleted(true).empty());
}

}  // namespace
}  // namespace traceproof
