#include <gtest/gtest.h>

#include "compare/compare_html.h"
#include "compare/compare_json.h"
#include "compare/compare_markdown.h"
#include "compare/compare_text.h"
#include "report/job_summary.h"

namespace traceproof {
namespace {

const std::string kRoute = "gateway POST /checkout [SERVER]";
const std::string kStripe = "stripe POST /v1/charges [SERVER]";

RunProfile MakeRun(double add_ms) {
  RunProfile run;
  run.dir = "dir";
  run.scenario = "checkout";
  run.checks = {{"latency", "p99 span[service=\"gateway\"] <= 800 ms | x", true, ""}};
  RouteProfile& r = run.routes[kRoute];
  r.route = kRoute;
  r.traces = 2000;
  r.edges["(root) → " + kStripe] = 2000;
  DurationSample& s = r.operations[kStripe];
  for (int i = 0; i < 2000; ++i) {
    s.duration_ns.push_back(static_cast<std::int64_t>((2 + (i % 97) / 20.0 + add_ms) * 1e6));
    s.start_ms.push_back(static_cast<std::uint32_t>(i * 10));
  }
  return run;
}

RunComparison Regressed() {
  std::string error;
  return *CompareRuns(MakeRun(0), MakeRun(30), {}, error);
}

TEST(CompareReports, TextNamesTheRegressedOperationAndItsP99Change) {
  const std::string text = ComparisonText(Regressed());
  EXPECT_NE(text.find("verdict: REGRESSION (1)"), std::string::npos) << text;
  EXPECT_NE(text.find(kStripe + " p99 "), std::string::npos) << text;
  EXPECT_NE(text.find("(+30.0 ms"), std::string::npos) << text;
  std::string error;
  EXPECT_NE(ComparisonText(*CompareRuns(MakeRun(0), MakeRun(0), {}, error))
                .find("verdict: no regression"),
            std::string::npos);
}

TEST(CompareReports, JsonSaysFailWithTheRegression) {
  const nlohmann::json j = ComparisonJson(Regressed());
  EXPECT_EQ(j["verdict"], "fail");
  ASSERT_EQ(j["regressions"].size(), 1u);
  EXPECT_TRUE(j["routes"][0]["operations"][0]["regression"].get<bool>());
  EXPECT_EQ(j["options"]["percentile"], 99);
}

TEST(CompareReports, MarkdownIsLinkFreeAndEscapesTableCells) {
  const std::string md = ComparisonMarkdown(Regressed(), {});
  EXPECT_NE(md.find("**verdict: REGRESSION**"), std::string::npos) << md;
  EXPECT_EQ(md.find("]("), std::string::npos) << md;
  EXPECT_EQ(md.find("http"), std::string::npos) << md;
  // The check's label holds `|`, `<` and `"`: one cell, no HTML tag opened.
  EXPECT_NE(md.find("&lt;= 800 ms \\| x"), std::string::npos) << md;
  EXPECT_EQ(MarkdownCell("a|b\nc<d>"), "a\\|b c&lt;d&gt;");
}

TEST(CompareReports, HtmlSaysRegressionAndEscapesNames) {
  RunProfile base = MakeRun(0), now = MakeRun(30);
  base.scenario = now.scenario = "<script>x</script>";
  std::string error;
  const std::string html = ComparisonHtml(*CompareRuns(base, now, {}, error), {});
  EXPECT_NE(html.find(">REGRESSION<"), std::string::npos);
  EXPECT_EQ(html.find("<script>x"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;x"), std::string::npos);
}

}  // namespace
}  // namespace traceproof
