#include "compare/run_profile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace traceproof {
namespace {

namespace fs = std::filesystem;

nlohmann::json Span(const std::string& id, const std::string& parent, const std::string& service,
                    const std::string& name, std::int64_t start_ms, std::int64_t duration_ms) {
  return {{"span_id", id},
          {"parent_span_id", parent},
          {"service_name", service},
          {"name", name},
          {"kind", parent.empty() ? "SERVER" : "CLIENT"},
          {"start_time_unix_nano", start_ms * 1'000'000},
          {"end_time_unix_nano", (start_ms + duration_ms) * 1'000'000},
          {"duration_ns", duration_ms * 1'000'000}};
}

class RunProfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("traceproof-profile-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  void WriteResults(const std::vector<nlohmann::json>& records) {
    nlohmann::json summary = {
        {"scenario", {{"name", "checkout"}, {"file", "x.yaml"}}},
        {"verdict", "pass"},
        {"checks", {{{"kind", "throughput"}, {"label", "loss == 0"}, {"status", "pass"}}}},
        {"load", {{"sent", 2}, {"ok", 2}, {"dropped_iterations", 0}, {"achieved_rate_per_s", 2.0}}},
        {"spans",
         {{"ground_truth", 5},
          {"sink_accepted", 5},
          {"sink_refused", 0},
          {"hops", {{{"name", "services"}, {"dropped", {{"queue_full", 1}}}}}}}}};
    Write("summary.json", summary.dump());
    Write("run_data.json", R"({"head_sampler": "traceidratio", "head_sampler_ratio": 0.5})");
    std::string lines;
    for (const auto& r : records) lines += r.dump() + "\n";
    Write("traces.jsonl", lines);
  }

  fs::path dir_;
};

TEST_F(RunProfileTest, RoutesEdgesAndDurationsWithUpdatesFoldedIn) {
  const nlohmann::json t1 = {{"trace_id", "01"},
                             {"spans",
                              {Span("a1", "", "gateway", "POST /checkout", 1000, 30),
                               Span("b1", "a1", "gateway", "POST stripe", 1001, 20)}}};
  const nlohmann::json t2 = {{"trace_id", "02"},
                             {"spans", {Span("a2", "", "gateway", "POST /checkout", 2000, 50)}}};
  // The late span of trace 02: its parent came in the first record.
  const nlohmann::json u2 = {{"trace_id", "02"},
                             {"update", true},
                             {"spans", {Span("b2", "a2", "gateway", "POST stripe", 2001, 40)}}};
  const nlohmann::json orphan_only = {{"trace_id", "03"},
                                      {"spans", {Span("c3", "ff", "payments", "x", 3000, 1)}}};
  WriteResults({t1, t2, u2, orphan_only});
  std::string error;
  const auto run = ReadRunProfile(dir_, error);
  ASSERT_TRUE(run) << error;
  EXPECT_EQ(run->scenario, "checkout");
  EXPECT_EQ(run->traces, 3u);
  EXPECT_EQ(run->traces_without_route, 1u);
  EXPECT_EQ(run->spans_lost, 1u);
  EXPECT_EQ(run->head_sampler_ratio, 0.5);
  ASSERT_EQ(run->routes.size(), 1u);
  const RouteProfile& r = run->routes.begin()->second;
  EXPECT_EQ(r.route, "gateway POST /checkout [SERVER]");
  EXPECT_EQ(r.traces, 2u);
  EXPECT_EQ(r.edges.at("gateway POST /checkout [SERVER] → gateway POST stripe [CLIENT]"), 2u);
  EXPECT_EQ(r.slowest_trace_id, "02");
  const DurationSample& stripe = r.operations.at("gateway POST stripe [CLIENT]");
  EXPECT_EQ(stripe.duration_ns, (std::vector<std::int64_t>{20'000'000, 40'000'000}));
  EXPECT_EQ(stripe.start_ms, (std::vector<std::uint32_t>{1, 1001}));
  const auto record = ReadTraceRecord(dir_, "02");
  ASSERT_TRUE(record);
  EXPECT_EQ((*record)["spans"].size(), 2u);
}

TEST_F(RunProfileTest, AFolderWithoutSummaryIsNoResultsFolder) {
  std::string error;
  EXPECT_FALSE(ReadRunProfile(dir_, error));
  EXPECT_NE(error.find("is not a results folder"), std::string::npos) << error;
  EXPECT_NE(error.find("summary.json"), std::string::npos) << error;
  EXPECT_FALSE(ReadRunProfile(dir_ / "nope", error));
  EXPECT_NE(error.find("not a directory"), std::string::npos) << error;
}

TEST_F(RunProfileTest, ABadTraceLineIsNamedWithItsNumber) {
  WriteResults({{{"trace_id", "01"}, {"spans", nlohmann::json::array()}}});
  std::ofstream(dir_ / "traces.jsonl", std::ios::app) << "{not json\n";
  std::string error;
  EXPECT_FALSE(ReadRunProfile(dir_, error));
  EXPECT_NE(error.find("traces.jsonl:2: not JSON"), std::string::npos) << error;
}

TEST_F(RunProfileTest, ASpanWithoutItsDurationIsNamed) {
  nlohmann::json s = Span("a1", "", "gateway", "GET /", 0, 1);
  s.erase("duration_ns");
  WriteResults({{{"trace_id", "01"}, {"spans", {s}}}});
  std::string error;
  EXPECT_FALSE(ReadRunProfile(dir_, error));
  EXPECT_NE(error.find("traces.jsonl:1: spans[0]"), std::string::npos) << error;
  EXPECT_NE(error.find("duration_ns"), std::string::npos) << error;
}

TEST_F(RunProfileTest, ASummaryWithoutChecksIsNamed) {
  WriteResults({});
  Write("summary.json", R"({"scenario": {"name": "x"}, "verdict": "pass"})");
  std::string error;
  EXPECT_FALSE(ReadRunProfile(dir_, error));
  EXPECT_NE(error.find("summary.json: not the summary.json"), std::string::npos) << error;
}

TEST_F(RunProfileTest, NoTracesFileIsNamed) {
  WriteResults({});
  fs::remove(dir_ / "traces.jsonl");
  std::string error;
  EXPECT_FALSE(ReadRunProfile(dir_, error));
  EXPECT_NE(error.find("holds no traces.jsonl"), std::string::npos) << error;
}

}  // namespace
}  // namespace traceproof
