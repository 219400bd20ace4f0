#include "report/series_jsonl.h"

#include <gtest/gtest.h>

namespace traceproof {
namespace {

TEST(SeriesJsonl, OneObjectALineWithTheDocumentedFieldsInOrder) {
  SeriesSample s;
  s.t_s = 3.0004;
  s.interval_s = 1;
  s.phase = "load";
  s.requests_per_s_target = 200;
  s.requests_per_s = 199;
  s.requests = 199;
  s.p50_ns = 1000;
  s.p99_ns = 5000;
  s.errors = {{"timeout", 2}};
  s.spans_received = 800;
  s.processes = {{"traceproof", 4096, 12.5}};
  const std::string text = SeriesJsonl({s, s});
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  const std::string line = text.substr(0, text.find('\n'));
  EXPECT_TRUE(line.starts_with(R"({"t_s":3.0,"interval_s":1.0,"phase":"load",)")) << line;
  const auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["requests_per_s"], 199.0);
  EXPECT_EQ(j["p99_ns"], 5000);
  EXPECT_EQ(j["errors"]["timeout"], 2);
  EXPECT_EQ(j["spans_received"], 800);
  EXPECT_EQ(j["processes"][0]["name"], "traceproof");
  EXPECT_EQ(j["processes"][0]["rss_bytes"], 4096);
  EXPECT_EQ(j["processes"][0]["cpu_percent"], 12.5);
}

TEST(SeriesJsonl, NoRowsIsAnEmptyFile) { EXPECT_EQ(SeriesJsonl({}), ""); }

}  // namespace
}  // namespace traceproof
