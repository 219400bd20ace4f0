// Selector, comparison and check entry parsing: what scenario authors type, and the errors they
// get when they mistype it.
#include "checks/selector.h"

#include <gtest/gtest.h>

#include "checks/check_spec.h"
#include "checks/comparison.h"
#include "checks/run_data_builder.h"

namespace traceproof {
namespace {

using testing::RunDataBuilder;

Selector MustParse(std::string_view text) {
  std::string error;
  auto s = Selector::Parse(text, error);
  EXPECT_TRUE(s.has_value()) << text << ": " << error;
  return s.value_or(*Selector::Parse("span", error));
}

std::string ParseError(std::string_view text) {
  std::string error;
  auto s = Selector::Parse(text, error);
  EXPECT_FALSE(s.has_value()) << text << " parsed but should not";
  return error;
}

// One trace with a few spans, decoded from real OTLP bytes, so attribute predicates run the
// same code as on a sink's spans.
class SelectorMatch : public ::testing::Test {
 protected:
  void SetUp() override {
    b_.NewTrace();
    const int root = b_.Span("gateway", "GET /checkout")
                         .Kind(SpanKind::kServer)
                         .Times(0, 100)
                         .Attr("http.route", "/checkout")
                         .Attr("http.response.status_code", std::int64_t{200})
                         .Id();
    b_.Span("payments", "charge-card")
        .Kind(SpanKind::kClient)
        .Status(StatusCode::kError)
        .Parent(root)
        .Times(10, 90)
        .Attr("user.id", "u-1")
        .Attr("retry", true);
    b_.Span("payments", "POST stripe /v1/charges").Kind(SpanKind::kClient).Parent(root);
    data_ = b_.Build();
    ASSERT_EQ(data_.traces.size(), 1u);
  }
  // Names of the spans the selector matches, in order.
  std::vector<std::string> Matching(std::string_view text) {
    const Selector s = MustParse(text);
    std::vector<std::string> names;
    for (const SpanView& span : data_.traces[0]->spans)
      if (s.Matches(span)) names.emplace_back(span.name);
    return names;
  }
  RunDataBuilder b_;
  RunData data_;
};

using Names = std::vector<std::string>;

TEST_F(SelectorMatch, BareSpanSelectsEverySpan) { EXPECT_EQ(Matching("span").size(), 3u); }

TEST_F(SelectorMatch, EveryPredicateMustHold) {
  EXPECT_EQ(Matching(R"(span[service="payments" kind=CLIENT status=ERROR])"), Names{"charge-card"});
  EXPECT_EQ(Matching(R"(span[service="payments" kind=SERVER])"), Names{});
  EXPECT_EQ(Matching(R"(span[kind=SERVER])"), Names{"GET /checkout"});
}

TEST_F(SelectorMatch, NamePrefixAndSubstring) {
  EXPECT_EQ(Matching(R"(span[name^="POST "])"), Names{"POST stripe /v1/charges"});
  EXPECT_EQ(Matching(R"(span[name*="stripe"])"), Names{"POST stripe /v1/charges"});
  EXPECT_EQ(Matching(R"(span[name^="stripe"])"), Names{});
}

TEST_F(SelectorMatch, AttributesAreDecodedFromTheSpanBytes) {
  EXPECT_EQ(Matching(R"(span[attr.http.route="/checkout"])"), Names{"GET /checkout"});
  EXPECT_EQ(Matching(R"(span[attr.http.route="/cart"])"), Names{});
  EXPECT_EQ(Matching("span[attr.user.id]"), Names{"charge-card"});
  EXPECT_EQ(Matching("span[attr.http.response.status_code=200]"), Names{"GET /checkout"});
  EXPECT_EQ(Matching("span[attr.retry=true]"), Names{"charge-card"});
  EXPECT_EQ(Matching("span[attr.missing]"), Names{});
}

TEST_F(SelectorMatch, ResourceAttributesCountToo) {
  EXPECT_EQ(Matching(R"(span[attr.service.name="gateway"])"), Names{"GET /checkout"});
}

TEST(SelectorParse, ErrorsNameTheColumn) {
  EXPECT_EQ(ParseError(R"(span[service "orders"])"), "column 13: expected '=' after 'service'");
  EXPECT_EQ(ParseError("span[kind=CLIENTS]").substr(0, 34), "column 11: unknown kind 'CLIENTS';");
  EXPECT_EQ(ParseError("span[status=FAILED]").substr(0, 37),
            "column 13: unknown status 'FAILED'; e");
  EXPECT_NE(ParseError("span[colour=red]").find("column 6: unknown field 'colour'"),
            std::string::npos);
  EXPECT_NE(ParseError("spam").find("column 1:"), std::string::npos);
  EXPECT_NE(ParseError(R"(span[name="x)").find("unterminated"), std::string::npos);
  EXPECT_NE(ParseError(R"(span[name="x")").find("missing ']'"), std::string::npos);
  EXPECT_NE(ParseError("span[kind^=CLIENT]").find("only takes '='"), std::string::npos);
  EXPECT_NE(ParseError("span[] x").find("column 8"), std::string::npos);
}

TEST(SelectorParse, KeepsTheTextForMessages) {
  EXPECT_EQ(MustParse(R"(span[name="a b"])").text(), R"(span[name="a b"])");
}

Comparison Cmp(const std::string& yaml) {
  return ParseComparison(YAML::Load(yaml), "scenario.yaml", "count");
}

TEST(Comparison, ParsesOperatorsPercentagesAndDurations) {
  EXPECT_EQ(Cmp("'== 0'").op, Comparison::Op::kEq);
  EXPECT_EQ(Cmp("'>= 1'").op, Comparison::Op::kGe);
  EXPECT_EQ(Cmp("'!= 3'").op, Comparison::Op::kNe);
  EXPECT_EQ(Cmp("'>2'").value, 2);

  const Comparison share = Cmp("'< 5%'");
  EXPECT_TRUE(share.percent);
  EXPECT_DOUBLE_EQ(share.value, 0.05);
  EXPECT_TRUE(share.Holds(0.049));
  EXPECT_FALSE(share.Holds(0.05));

  const Comparison d = Cmp("'<= 800ms'");
  EXPECT_TRUE(d.duration);
  EXPECT_DOUBLE_EQ(d.value, 800e6);
  EXPECT_TRUE(d.Holds(800e6));
  EXPECT_FALSE(d.Holds(800e6 + 1));
}

TEST(Comparison, BareNumberMeansEquals) {
  const Comparison c = Cmp("3");
  EXPECT_EQ(c.op, Comparison::Op::kEq);
  EXPECT_TRUE(c.Holds(3));
  EXPECT_FALSE(c.Holds(4));
  // A share computed in floating point still equals the percentage written.
  EXPECT_TRUE(Cmp("'== 5%'").Holds(1.0 / 20));
}

TEST(Comparison, ErrorsCarryPositionNameAndHint) {
  try {
    ParseComparison(YAML::Load("x: '>= lots'")["x"], "s.yaml", "broken_traces");
    FAIL() << "no error";
  } catch (const LoadError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("s.yaml:1:4: 'broken_traces': bad comparison '>= lots'", 0), 0u) << what;
    EXPECT_NE(what.find("e.g."), std::string::npos) << what;
  }
  EXPECT_THROW(Cmp("'<='"), LoadError);
  EXPECT_THROW(Cmp("'< 150%'"), LoadError);
  EXPECT_THROW(Cmp("[1]"), LoadError);
  EXPECT_THROW(Cmp("'<= 5 parsecs'"), LoadError);
}

TEST(ParseCheckSpec, UnknownKindSuggestsTheClosest) {
  try {
    ParseCheckSpec(YAML::Load("{propagaton: {}}"), "s.yaml");
    FAIL() << "no error";
  } catch (const LoadError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("unknown key 'propagaton'"), std::string::npos) << what;
    EXPECT_NE(what.find("did you mean 'propagation'?"), std::string::npos) << what;
    EXPECT_EQ(e.pos().line, 1);
  }
}

TEST(ParseCheckSpec, EntryHasExactlyOneKind) {
  EXPECT_THROW(ParseCheckSpec(YAML::Load("{structure: {select: span}, hygiene: {}}"), "s.yaml"),
               LoadError);
  EXPECT_THROW(ParseCheckSpec(YAML::Load("[structure]"), "s.yaml"), LoadError);
  EXPECT_THROW(ParseCheckSpec(YAML::Load("{}"), "s.yaml"), LoadError);
}

}  // namespace
}  // namespace traceproof
