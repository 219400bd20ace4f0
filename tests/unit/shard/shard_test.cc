// The merge of shards (`traceproof merge`): a set that is not one whole run is refused naming
// what is wrong, figures add exactly (counts, histograms, hops), series rows join by second,
// and a trace whose spans sit on two shards' sinks is reported, never glued.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "checks/run_data_builder.h"
#include "report/trace_json.h"
#include "shard/merge_plan.h"
#include "shard/shard_data.h"
#include "shard/shard_manifest.h"
#include "shard/trace_join.h"

namespace traceproof {
namespace {

namespace fs = std::filesystem;
using testing::RunDataBuilder;

TEST(ShardSlice, ParsesIOfNFromZero) {
  std::string error;
  const auto s = ParseShardSlice("2/3", error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->index, 2);
  EXPECT_EQ(s->count, 3);
  for (const char* bad : {"3/3", "-1/3", "1/0", "1", "a/3", "1/3x", "0/1001", ""}) {
    error.clear();
    EXPECT_FALSE(ParseShardSlice(bad, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(ShardManifest, RoundTripsAndNamesAMissingField) {
  ShardManifest m;
  m.slice = {1, 4};
  m.seed = 42;
  m.scenario_name = "checkout";
  m.scenario_file = "scenarios/checkout.yaml";
  m.scenario_digest = ScenarioDigest("name: checkout\n");
  m.traceproof_version = "0.1.0";
  std::string error;
  const auto back = ShardManifestFromJson(ShardManifestJson(m), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->slice.index, 1);
  EXPECT_EQ(back->slice.count, 4);
  EXPECT_EQ(back->seed, 42u);
  EXPECT_EQ(back->scenario_digest, m.scenario_digest);
  nlohmann::json broken = ShardManifestJson(m);
  broken.erase("seed");
  EXPECT_FALSE(ShardManifestFromJson(broken, error));
  EXPECT_NE(error.find("seed"), std::string::npos) << error;
  EXPECT_NE(ScenarioDigest("a"), ScenarioDigest("b"));
}

std::vector<ShardFolder> Set(std::initializer_list<int> indexes, int count = 3) {
  std::vector<ShardFolder> set;
  for (int i : indexes) {
    ShardFolder f;
    f.dir = "shard-" + std::to_string(i) + (set.size() > 2 ? "b" : "");
    f.manifest.slice = {i, count};
    f.manifest.scenario_digest = "d";
    f.manifest.traceproof_version = "v";
    set.push_back(f);
  }
  return set;
}

TEST(MergePlan, AWholeSetInAnyOrderHasNoProblem) {
  EXPECT_TRUE(MergeProblems(Set({2, 0, 1})).empty());
}

TEST(MergePlan, NamesTheMissingShard) {
  const auto p = MergeProblems(Set({0, 2}));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "shard 1/3 missing");
}

TEST(MergePlan, NamesAShardGivenTwiceWithItsFolders) {
  const auto p = MergeProblems(Set({0, 1, 2, 1}));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("shard 1/3 given 2 times"), std::string::npos) << p[0];
  EXPECT_NE(p[0].find("shard-1b"), std::string::npos) << p[0];
}

TEST(MergePlan, RefusesMixedScenariosSeedsVersionsAndCounts) {
  auto set = Set({0, 1, 2});
  set[1].manifest.scenario_digest = "other";
  set[2].manifest.seed = 9;
  auto p = MergeProblems(set);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_NE(p[0].find("scenario file digest other"), std::string::npos) << p[0];
  EXPECT_NE(p[1].find("arrival seed 9"), std::string::npos) << p[1];
  set = Set({0, 1, 2});
  set[2].manifest.slice.count = 4;
  set[0].manifest.traceproof_version = "w";
  p = MergeProblems(set);
  EXPECT_EQ(p.size(), 3u);  // the count against shard 0, and the version twice against it
  EXPECT_FALSE(MergeProblems({}).empty());
}

TEST(ShardData, AddsCountsHistogramsAndHopsExactly) {
  RunData a, b;
  a.load.sent = 100;
  a.load.ok = 98;
  a.load.errors_timeout = 2;
  a.load.target_rate_per_s = 50;
  a.load.duration_s = 10;
  for (int i = 1; i <= 100; ++i) a.load.corrected.Record(1'000'000ULL * i);
  b.load.sent = 50;
  b.load.ok = 50;
  b.load.target_rate_per_s = 50;
  b.load.duration_s = 10.5;
  for (int i = 101; i <= 150; ++i) b.load.corrected.Record(1'000'000ULL * i);
  a.hops = {{"services", 300, 300, {}}, {"sink", 300, 299, {{"store_full", 1}}}};
  b.hops = {{"services", 200, 199, {{"exporter", 1}}}, {"sink", 199, 199, {{"store_full", 2}}}};
  SinkRouting sink;
  sink.name = "sink 1";
  sink.trace_ids.insert(TraceId{});
  a.sinks = {sink};
  b.sinks = {sink};
  RunData merged;
  AddShardRunData(merged, a, 0);
  AddShardRunData(merged, b, 1);
  // Each shard's tier is its own: both sinks kept, by shard.
  ASSERT_EQ(merged.sinks.size(), 2u);
  EXPECT_EQ(merged.sinks[0].name, "shard 0: sink 1");
  EXPECT_EQ(merged.sinks[1].name, "shard 1: sink 1");
  EXPECT_EQ(merged.load.sent, 150u);
  EXPECT_EQ(merged.load.ok, 148u);
  EXPECT_EQ(merged.load.errors_timeout, 2u);
  EXPECT_DOUBLE_EQ(merged.load.target_rate_per_s, 100);
  EXPECT_DOUBLE_EQ(merged.load.duration_s, 10.5);
  EXPECT_EQ(merged.load.corrected.TotalCount(), 150u);
  // The p99 of the union (1..150 ms), not an average of the shards' p99s (99 and 150 ms).
  EXPECT_EQ(Histogram::LowestEquivalent(merged.load.corrected.ValueAtPercentile(99)),
            Histogram::LowestEquivalent(149'000'000ULL));
  ASSERT_EQ(merged.hops.size(), 2u);
  EXPECT_EQ(merged.hops[0].received, 500u);
  EXPECT_EQ(merged.hops[0].passed_on, 499u);
  ASSERT_EQ(merged.hops[0].dropped.size(), 1u);
  EXPECT_EQ(merged.hops[1].dropped[0], (std::pair<std::string, std::uint64_t>{"store_full", 3}));
}

TEST(ShardData, SummaryCountersAddAndTheWorstStatusWins) {
  RunOutcome o;
  AddShardSummary(o, {{"status", "completed"}, {"spans", {{"sink_received", 10}}}});
  AddShardSummary(o, {{"status", "interrupted"}, {"spans", {{"sink_received", 5}}}});
  AddShardSummary(o, {{"status", "completed"}, {"spans", {{"sink_accepted", 4}}}});
  EXPECT_EQ(o.sink_spans_received, 15u);
  EXPECT_EQ(o.sink_spans_accepted, 4u);
  EXPECT_EQ(o.status, RunOutcome::Status::kInterrupted);
}

TEST(ShardData, SeriesRowsJoinBySecondWithinEachPhase) {
  using J = nlohmann::ordered_json;
  const std::vector<J> s0 = {{{"t_s", 1.0},
                              {"phase", "load"},
                              {"requests", 10},
                              {"p99_ns", 5},
                              {"requests_per_s", 10.0},
                              {"errors", {{"timeout", 1}}},
                              {"processes", J::array({{{"name", "traceproof"}}})}},
                             {{"t_s", 2.0}, {"phase", "load"}, {"requests", 12}, {"p99_ns", 6}},
                             {{"t_s", 3.0}, {"phase", "drain"}, {"requests", 0}}};
  const std::vector<J> s1 = {{{"t_s", 1.1},
                              {"phase", "load"},
                              {"requests", 9},
                              {"p99_ns", 8},
                              {"requests_per_s", 9.0},
                              {"errors", {{"timeout", 2}}},
                              {"processes", J::array({{{"name", "traceproof"}}})}},
                             {{"t_s", 2.1}, {"phase", "drain"}, {"requests", 0}}};
  const auto rows = MergeSeriesRows({s0, s1});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["requests"], 19);
  EXPECT_EQ(rows[0]["p99_ns"], 8);
  EXPECT_DOUBLE_EQ(rows[0]["requests_per_s"].get<double>(), 19.0);
  EXPECT_EQ(rows[0]["errors"]["timeout"], 3);
  EXPECT_DOUBLE_EQ(rows[0]["t_s"].get<double>(), 1.0);
  ASSERT_EQ(rows[0]["processes"].size(), 2u);
  EXPECT_EQ(rows[0]["processes"][1]["name"], "shard 1: traceproof");
  EXPECT_EQ(rows[1]["requests"], 12);
  EXPECT_EQ(rows[2]["phase"], "drain");
}

// Two shards' traces files; the builder numbers trace ids from 1, so shard 1's trace 2 is the
// same trace id as shard 0's trace 2 when `overlap`.
class TraceJoin : public ::testing::Test {
 protected:
  fs::path Write(const std::string& name, int first_trace, int traces) {
    RunDataBuilder b;
    for (int i = 1; i < first_trace; ++i) b.NewTrace();  // skip ids
    for (int i = 0; i < traces; ++i) {
      b.NewTrace();
      b.Span("gateway", "GET /").Kind(SpanKind::kServer).Times(0, 10);
    }
    const RunData data = b.Build();
    const fs::path path = fs::temp_directory_path() /
                          ("shard_test_" + std::to_string(::getpid()) + "_" + name + ".jsonl");
    std::ofstream out(path);
    for (const auto& t : data.traces) out << TraceToJson(*t).dump() << "\n";
    paths_.push_back(path);
    return path;
  }
  void TearDown() override {
    for (const auto& p : paths_) fs::remove(p);
  }
  std::vector<fs::path> paths_;
};

TEST_F(TraceJoin, DisjointShardsJoinWholeAndPass) {
  const auto a = Write("a", 1, 3), b = Write("b", 4, 2);
  std::ostringstream out;
  TraceJoinResult join;
  std::string error;
  int seen = 0;
  ASSERT_TRUE(JoinShardTraces(
      {a, b}, out, [&](const auto&) { ++seen; }, join, error))
      << error;
  EXPECT_EQ(join.records, 5u);
  EXPECT_EQ(join.traces, 5u);
  EXPECT_EQ(seen, 5);
  EXPECT_TRUE(join.split.empty());
  EXPECT_TRUE(SplitTracesResult(join).passed);
  const std::string copied = out.str();
  EXPECT_EQ(std::count(copied.begin(), copied.end(), '\n'), 5);
}

TEST_F(TraceJoin, ATraceOnTwoShardsSinksIsReportedWithBothShards) {
  const auto a = Write("a", 1, 3), b = Write("b", 3, 2);  // trace 3 on both
  std::ostringstream out;
  TraceJoinResult join;
  std::string error;
  ASSERT_TRUE(JoinShardTraces(
      {a, b}, out, [](const auto&) {}, join, error))
      << error;
  EXPECT_EQ(join.traces, 4u);
  ASSERT_EQ(join.split.size(), 1u);
  EXPECT_EQ(join.split[0].shards, (std::vector<int>{0, 1}));
  const CheckResult r = SplitTracesResult(join);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.kind, "merge");
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0], join.split[0].id.Hex());
  EXPECT_NE(r.reason.find("on shards 0, 1"), std::string::npos) << r.reason;
}

TEST_F(TraceJoin, ABadLineIsNamedWithItsFileAndLine) {
  const auto a = Write("a", 1, 1);
  std::ofstream(a, std::ios::app) << "{not json\n";
  std::ostringstream out;
  TraceJoinResult join;
  std::string error;
  EXPECT_FALSE(JoinShardTraces(
      {a}, out, [](const auto&) {}, join, error));
  EXPECT_NE(error.find(a.string() + ":2"), std::string::npos) << error;
}

}  // namespace
}  // namespace traceproof
