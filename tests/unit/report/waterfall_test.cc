#include <gtest/gtest.h>

#include <regex>

#include "checks/run_data_builder.h"
#include "checks/span_gaps.h"
#include "report/waterfall_layout.h"
#include "report/waterfall_svg.h"
#include "store/trace_shape.h"

namespace traceproof {
namespace {

using testing::RunDataBuilder;

// The seed's slow checkout, in ms: payments -> stripe owns most of the time.
RunData SeedCheckout() {
  RunDataBuilder b;
  b.NewTrace();
  int root = b.Span("gateway", "POST /checkout").Kind(SpanKind::kServer).Times(0, 420);
  // Overlaps charge-card, so it ends while charge-card runs: off the critical path.
  b.Span("auth", "validate-token").Parent(root).Times(2, 30);
  int charge = b.Span("payments", "charge-card").Parent(root).Times(20, 410);
  b.Span("payments", "POST stripe").Kind(SpanKind::kClient).Parent(charge).Times(25, 405);
  return b.Build();
}

// The <g class="span..."> element of the row whose label holds `name`.
std::string RowOf(const std::string& svg, const std::string& name) {
  std::size_t at = svg.find("</tspan> " + name + "</text>");
  EXPECT_NE(at, std::string::npos) << name;
  if (at == std::string::npos) return "";
  const std::size_t begin = svg.rfind("<g class=\"span", at);
  return svg.substr(begin, svg.find("</g>", at) - begin);
}

std::size_t Count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

TEST(Waterfall, MarksTheCriticalPathOnStripeAndNotOnAuth) {
  const RunData data = SeedCheckout();
  const std::string svg = WaterfallSvg(*data.traces.at(0), {});
  EXPECT_NE(RowOf(svg, "POST stripe").find("data-critical=\"1\""), std::string::npos) << svg;
  EXPECT_NE(RowOf(svg, "charge-card").find("data-critical=\"1\""), std::string::npos);
  EXPECT_EQ(RowOf(svg, "validate-token").find("data-critical"), std::string::npos);
  WaterfallOptions off;
  off.mark_critical_path = false;
  EXPECT_EQ(WaterfallSvg(*data.traces.at(0), off).find("data-critical"), std::string::npos);
}

TEST(Waterfall, TheFigureCarriesTheTraceAnchor) {
  const RunData data = SeedCheckout();
  const Trace& t = *data.traces.at(0);
  const std::string svg = WaterfallSvg(t, {});
  EXPECT_EQ(svg.rfind("<figure class=\"waterfall\" id=\"" + WaterfallAnchor(t.id) + "\"", 0), 0u);
}

TEST(SpanGaps, AreTheStretchesOfTheParentNoChildCovers) {
  RunDataBuilder b;
  b.NewTrace();
  int root = b.Span("gateway", "GET /").Times(0, 100);
  b.Span("a", "first").Parent(root).Times(10, 40);
  b.Span("a", "inner").Parent(root).Times(20, 30);  // inside "first": no gap of its own
  b.Span("b", "second").Parent(root).Times(60, 70);
  const RunData data = b.Build();
  const Trace& t = *data.traces.at(0);
  const TraceShape shape = AnalyzeTrace(t);
  std::size_t root_index = 0;
  while (!t.spans[root_index].IsRoot()) ++root_index;
  const std::vector<TimeRange> gaps = SpanGaps(t, shape, root_index);
  ASSERT_EQ(gaps.size(), 3u);
  const auto base = static_cast<std::int64_t>(RunDataBuilder::kBaseNs);
  EXPECT_EQ(gaps[0].begin_ns - base, 0);
  EXPECT_EQ(gaps[0].end_ns - base, 10'000'000);
  EXPECT_EQ(gaps[1].begin_ns - base, 40'000'000);
  EXPECT_EQ(gaps[1].end_ns - base, 60'000'000);
  EXPECT_EQ(gaps[2].DurationNs(), 30'000'000);
  EXPECT_EQ(LongestGapNs(gaps), 30'000'000);
  // Drawn: three hatched stretches on the parent's bar, none on the leaves.
  const std::string svg = WaterfallSvg(t, {});
  EXPECT_EQ(Count(RowOf(svg, "GET /"), "class=\"gap\""), 3u);
  EXPECT_EQ(Count(RowOf(svg, "second"), "class=\"gap\""), 0u);
}

TEST(SpanGaps, NoneWhenChildrenCoverTheParent) {
  RunDataBuilder b;
  b.NewTrace();
  int root = b.Span("gateway", "GET /").Times(0, 100);
  b.Span("a", "all").Parent(root).Times(0, 100);
  const RunData data = b.Build();
  EXPECT_EQ(Count(WaterfallSvg(*data.traces.at(0), {}), "class=\"gap\""), 0u);
}

TEST(Waterfall, ErrorSpansAreRedWithTheirMessage) {
  RunDataBuilder b;
  b.NewTrace();
  int root = b.Span("gateway", "POST /checkout").Times(0, 50);
  b.Span("payments", "charge-card").Parent(root).Times(5, 40).Status(StatusCode::kError);
  RunData data = b.Build();
  const std::string svg = WaterfallSvg(*data.traces.at(0), {});
  const std::string row = RowOf(svg, "charge-card");
  EXPECT_TRUE(std::regex_search(row, std::regex("^<g class=\"span[^\"]* error"))) << row;
  EXPECT_NE(row.find("fill=\"#d62728\""), std::string::npos);
  EXPECT_NE(row.find("ERROR"), std::string::npos);
  EXPECT_EQ(RowOf(svg, "POST /checkout").find("#d62728"), std::string::npos);
}

TEST(Waterfall, OrphansAndClockSkewAreFlaggedAsTheShapeSeesThem) {
  RunDataBuilder b;
  b.NewTrace();
  int root = b.Span("gateway", "GET /").Times(10, 100);
  b.Span("a", "early").Parent(root).Times(0, 50);  // starts before its parent
  int lost = b.Span("b", "lost-parent").Parent(root).Times(20, 30).Lost();
  b.Span("c", "orphaned").Parent(lost).Times(21, 29);
  const RunData data = b.Build();
  const std::string svg = WaterfallSvg(*data.traces.at(0), {});
  EXPECT_NE(RowOf(svg, "early").find("clock skew"), std::string::npos);
  EXPECT_NE(RowOf(svg, "early").find("flagged"), std::string::npos);
  EXPECT_NE(RowOf(svg, "orphaned").find("orphan: parent"), std::string::npos);
  EXPECT_EQ(RowOf(svg, "GET /").find("flagged"), std::string::npos);
}

TEST(Waterfall, SpanStringsAreEscaped) {
  RunDataBuilder b;
  b.NewTrace();
  b.Span("evil</text><script>alert(1)</script>", "<img src=x onerror=alert(1)>")
      .Times(0, 10)
      .Attr("q", "\"><b>&");
  const RunData data = b.Build();
  const std::string svg = WaterfallSvg(*data.traces.at(0), {});
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("<img"), std::string::npos);
  EXPECT_EQ(svg.find("\"><b>"), std::string::npos);
  EXPECT_NE(svg.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(svg.find("&quot;&gt;&lt;b&gt;&amp;"), std::string::npos);
}

TEST(Waterfall, ABigTraceIsBoundedAndKeepsItsCriticalPath) {
  RunDataBuilder b;
  b.NewTrace();
  int root = b.Span("gateway", "GET /").Times(0, 5000);
  for (int i = 0; i < 1999; ++i)
    b.Span("svc", "call-" + std::to_string(i)).Parent(root).Times(i * 0.1, i * 0.1 + 1);
  b.Span("slow", "the-last-one").Parent(root).Times(3000, 4999);
  const RunData data = b.Build();
  const Trace& t = *data.traces.at(0);
  ASSERT_EQ(t.spans.size(), 2001u);
  WaterfallOptions options;
  options.max_rows = 100;
  const std::string svg = WaterfallSvg(t, options);
  EXPECT_EQ(Count(svg, "<g class=\"span"), 100u);
  EXPECT_NE(svg.find("1901 spans not drawn"), std::string::npos);
  EXPECT_NE(RowOf(svg, "the-last-one").find("data-critical=\"1\""), std::string::npos);
  EXPECT_LT(svg.size(), 100u * 4096u);
  const WaterfallLayout all = LayOutWaterfall(t, 5000);
  EXPECT_EQ(all.rows.size(), 2001u);
  EXPECT_EQ(all.hidden, 0u);
}

TEST(Waterfall, ServiceColoursAreStableAndNeverTheErrorRed) {
  EXPECT_EQ(ServiceColour("payments"), ServiceColour("payments"));
  for (const char* s : {"gateway", "auth", "payments", "orders", "stripe", "", "x"})
    EXPECT_NE(ServiceColour(s), "#d62728");
}

}  // namespace
}  // namespace traceproof
