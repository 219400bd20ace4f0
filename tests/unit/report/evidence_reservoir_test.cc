// The traces a run keeps whole to show (report/evidence_reservoir.h): exactly the slowest N, the
// first N that look failing, and a seeded uniform sample, each once, in completion order, and
// never more than the three N however many traces pass.
#include "report/evidence_reservoir.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "checks/run_data_builder.h"

namespace traceproof {
namespace {

using testing::RunDataBuilder;

// 1000 one-span traces; trace i lasts ((i * 7919) % 1000) ms (every duration once), and every
// 100th (i = 50, 150, ...) has an ERROR span.
RunData Traces() {
  RunDataBuilder b;
  for (int i = 0; i < 1000; ++i) {
    b.NewTrace();
    auto root = b.Span("gateway", "GET /").Kind(SpanKind::kServer).Times(0, (i * 7919) % 1000 + 1);
    if (i % 100 == 50) root.Status(StatusCode::kError);
  }
  return b.Build();
}

std::vector<TraceId> Ids(const std::vector<std::shared_ptr<const Trace>>& traces) {
  std::vector<TraceId> ids;
  for (const auto& t : traces) ids.push_back(t->id);
  return ids;
}

TEST(EvidenceReservoir, KeepsTheSlowestTheFirstFailingAndASampleEachOnce) {
  const RunData data = Traces();
  ASSERT_EQ(data.traces.size(), 1000u);
  EvidenceReservoir reservoir({10, 3, 5, 42});
  for (const auto& t : data.traces) reservoir.Add(*t);
  EXPECT_EQ(reservoir.seen(), 1000u);
  const std::vector<std::shared_ptr<const Trace>> kept = reservoir.Kept();
  const std::vector<TraceId> ids = Ids(kept);
  const std::set<TraceId> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), ids.size());  // each once
  EXPECT_LE(kept.size(), 18u);
  EXPECT_GE(kept.size(), 13u);  // the slowest and the failing are disjoint here
  // In completion order: the order of data.traces.
  std::vector<std::size_t> positions;
  for (const TraceId& id : ids) {
    const auto at = std::find_if(data.traces.begin(), data.traces.end(),
                                 [&](const auto& t) { return t->id == id; });
    ASSERT_NE(at, data.traces.end());
    positions.push_back(static_cast<std::size_t>(at - data.traces.begin()));
  }
  EXPECT_TRUE(std::is_sorted(positions.begin(), positions.end()));
  // The 10 slowest: durations 991..1000 ms.
  for (int i = 0; i < 1000; ++i) {
    const bool slow = (i * 7919) % 1000 + 1 > 990;
    const bool first_failing = i == 50 || i == 150 || i == 250;
    if (slow || first_failing) {
      EXPECT_TRUE(unique.contains(data.traces[i]->id)) << "trace " << i;
    }
  }
}

TEST(EvidenceReservoir, TheSampleIsSeededAndNotJustTheFirstTraces) {
  const RunData data = Traces();
  auto sample_of = [&](std::uint64_t seed) {
    EvidenceReservoir reservoir({0, 0, 5, seed});
    for (const auto& t : data.traces) reservoir.Add(*t);
    return Ids(reservoir.Kept());
  };
  const std::vector<TraceId> a = sample_of(7);
  EXPECT_EQ(a.size(), 5u);
  EXPECT_EQ(sample_of(7), a);  // one seed, one sample
  EXPECT_NE(sample_of(8), a);
  const std::vector<TraceId> first{Ids({data.traces.begin(), data.traces.begin() + 5})};
  EXPECT_NE(a, first);
}

TEST(EvidenceReservoir, UpdateRecordsAreNotEvidence) {
  const RunData data = Traces();
  auto update = std::make_shared<Trace>(*data.traces[0]);
  update->times_completed = 2;
  EvidenceReservoir reservoir({10, 3, 5, 1});
  reservoir.Add(*update);
  EXPECT_EQ(reservoir.seen(), 0u);
  EXPECT_TRUE(reservoir.Kept().empty());
}

}  // namespace
}  // namespace traceproof
