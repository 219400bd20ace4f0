#include "report/report_html.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "checks/run_data_builder.h"
#include "report/trace_json.h"
#include "report/waterfall_svg.h"

namespace traceproof {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::RunDataBuilder;

// A results folder as `traceproof run` writes one, with three traces: two checkouts and one
// whose payments span came late (an update record).
class ReportFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("report_html_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "histograms");
    RunDataBuilder b;
    for (int i = 1; i <= 3; ++i) {
      b.NewTrace();
      int root = b.Span("gateway", "POST /checkout").Kind(SpanKind::kServer).Times(0, 100.0 * i);
      b.Span("payments", "charge-card").Parent(root).Times(10, 100.0 * i - 5);
    }
    data_ = b.Build();
    std::ofstream traces(dir_ / "traces.jsonl");
    for (const auto& t : data_.traces) traces << TraceToJson(*t).dump() << "\n";
    // An update record for trace 3: a late span that makes it the slowest by far.
    Trace late = *data_.traces[2];
    SpanView extra = late.spans[1];
    extra.span_id = RunDataBuilder::SpanIdOf(99);
    extra.end_unix_ns += 2'000'000'000;
    late.spans.push_back(extra);
    late.new_from = late.spans.size() - 1;
    late.times_completed = 2;
    traces << TraceToJson(late).dump() << "\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Id(int trace) const { return RunDataBuilder::TraceIdOf(trace).Hex(); }

  void WriteSummary(const json& evidence, const std::string& verdict = "fail") {
    json summary = {
        {"scenario", {{"name", "unit"}, {"description", "a <b>test</b>"}, {"file", "x.yaml"}}},
        {"verdict", verdict},
        {"expected", "pass"},
        {"as_expected", verdict == "pass"},
        {"checks",
         {{{"kind", "structure"},
           {"label", "ok"},
           {"status", "pass"},
           {"reason", "fine"},
           {"evidence", json::array()},
           {"details", json::object()},
           {"position", "x.yaml:3:5"}},
          {{"kind", "propagation"},
           {"label", "broken_traces == 0"},
           {"status", verdict},
           {"reason", "2 broken"},
           {"evidence", evidence},
           {"details", json::object()},
           {"position", "x.yaml:4:5"}}}},
        {"load", {{"sent", 10}}}};
    std::ofstream(dir_ / "summary.json") << summary.dump();
  }

  std::string Page(const ReportOptions& options = {}) {
    std::string error;
    const auto in = ReadReportInput(dir_, options.slowest_traces, error);
    EXPECT_TRUE(in) << error;
    return in ? ReportHtml(*in, options) : "";
  }

  fs::path dir_;
  RunData data_;
};

std::set<std::string> Matches(const std::string& page, const std::string& pattern) {
  std::set<std::string> out;
  const std::regex re(pattern);
  for (auto it = std::sregex_iterator(page.begin(), page.end(), re); it != std::sregex_iterator();
       ++it)
    out.insert((*it)[1]);
  return out;
}

std::size_t Figures(const std::string& page, const std::string& trace_hex) {
  std::size_t n = 0;
  const std::string needle = "data-trace=\"" + trace_hex + "\"";
  for (std::size_t p = page.find(needle); p != std::string::npos; p = page.find(needle, p + 1)) ++n;
  return n;
}

TEST_F(ReportFolder, EveryEvidenceLinkLandsOnAWaterfallOnThePage) {
  WriteSummary({Id(1), Id(2)});
  const std::string page = Page();
  const std::set<std::string> links = Matches(page, "href=\"#(trace-[0-9a-f]+)\"");
  const std::set<std::string> ids = Matches(page, "<figure class=\"waterfall\" id=\"([^\"]+)\"");
  EXPECT_EQ(links.size(), 2u);
  for (const std::string& l : links) EXPECT_TRUE(ids.count(l)) << l;
  EXPECT_EQ(Figures(page, Id(1)), 1u);
  EXPECT_EQ(Figures(page, Id(2)), 1u);
  EXPECT_NE(page.find("evidence of check 2 (propagation)"), std::string::npos);
}

TEST_F(ReportFolder, EvidenceNotInTheTracesFileIsNamedButNotLinked) {
  const std::string absent(32, 'a');
  WriteSummary({absent, Id(1)});
  const std::string page = Page();
  EXPECT_EQ(page.find("href=\"#" + WaterfallAnchor(absent) + "\""), std::string::npos);
  EXPECT_NE(page.find("Not in the traces file"), std::string::npos);
  EXPECT_NE(page.find(absent), std::string::npos);
  EXPECT_EQ(Figures(page, Id(1)), 1u);
}

TEST_F(ReportFolder, TheSlowestTraceIncludesItsLateSpans) {
  WriteSummary(json::array(), "pass");
  const std::string page = Page();
  const std::size_t first = page.find("slowest trace 1 of 3");
  ASSERT_NE(first, std::string::npos);
  const std::size_t figure = page.rfind("<figure", first);
  EXPECT_NE(page.find("data-trace=\"" + Id(3) + "\"", figure), std::string::npos);
  EXPECT_LT(page.find("data-trace=\"" + Id(3) + "\"", figure), first);
  EXPECT_NE(page.find("3 spans", figure), std::string::npos);  // the update was folded in
  EXPECT_NE(page.find("class=\"verdict pass\">PASS"), std::string::npos);
}

TEST_F(ReportFolder, PastTheSizeBoundTracesAreListedAndNotLinked) {
  WriteSummary({Id(1), Id(2)});
  ReportOptions options;
  options.max_waterfalls = 1;
  const std::string page = Page(options);
  EXPECT_EQ(Matches(page, "<figure class=\"waterfall\" id=\"([^\"]+)\"").size(), 1u);
  EXPECT_NE(page.find("Not drawn, to keep the page small"), std::string::npos);
  const std::set<std::string> ids = Matches(page, "<figure class=\"waterfall\" id=\"([^\"]+)\"");
  for (const std::string& l : Matches(page, "href=\"#(trace-[0-9a-f]+)\""))
    EXPECT_TRUE(ids.count(l)) << l;
}

TEST_F(ReportFolder, ThePageFetchesNothingAndEscapesTheScenario) {
  WriteSummary({Id(1)});
  const std::string page = Page();
  EXPECT_NE(page.find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(page.find(" src="), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_EQ(page.find("<b>test</b>"), std::string::npos);
  EXPECT_NE(page.find("a &lt;b&gt;test&lt;/b&gt;"), std::string::npos);
}

TEST_F(ReportFolder, ABadRecordIsNamedAndTheRestIsDrawn) {
  WriteSummary({Id(1)});
  std::ofstream(dir_ / "traces.jsonl", std::ios::app) << "{not json\n";
  const std::string page = Page();
  EXPECT_NE(page.find("traces.jsonl:5: not a trace record"), std::string::npos);
  EXPECT_EQ(Matches(page, "<figure class=\"waterfall\" id=\"([^\"]+)\"").size(), 3u);
}

TEST_F(ReportFolder, WrittenBesideTheResultsAndRefusedWithoutSummary) {
  WriteSummary({Id(1)});
  std::string error;
  const auto written = WriteReportHtml(dir_, {}, error);
  ASSERT_TRUE(written) << error;
  EXPECT_EQ(written->path, dir_ / "report.html");
  EXPECT_EQ(fs::file_size(written->path), written->bytes);
  EXPECT_EQ(written->waterfalls, 3u);
  fs::remove(dir_ / "summary.json");
  EXPECT_FALSE(WriteReportHtml(dir_, {}, error));
  EXPECT_NE(error.find("summary.json"), std::string::npos);
}

}  // namespace
}  // namespace traceproof
