#include <gtest/gtest.h>

#include <regex>

#include "report/junit.h"
#include "report/summary_json.h"
#include "run/scenario_runner.h"

namespace traceproof {
namespace {

CheckResult Result(std::string kind, bool passed, std::string reason = "because") {
  CheckResult r;
  r.kind = std::move(kind);
  r.label = "label";
  r.passed = passed;
  r.reason = std::move(reason);
  return r;
}

Expectation ExpectFail(std::vector<std::string> kinds) {
  Expectation e;
  e.pass = false;
  e.failing_kinds = std::move(kinds);
  return e;
}

TEST(RunOutcome, AllPassingIsAsExpectedForAPassingScenario) {
  RunOutcome o;
  o.results = {Result("structure", true), Result("latency", true)};
  std::string why;
  EXPECT_TRUE(o.AsExpected(Expectation{}, why));
  o.results.push_back(Result("throughput", false));
  EXPECT_FALSE(o.AsExpected(Expectation{}, why));
  EXPECT_EQ(why, "a check failed");
}

TEST(RunOutcome, ExpectedFailureNeedsTheNamedKindToFail) {
  RunOutcome o;
  o.results = {Result("propagation", false), Result("throughput", true)};
  std::string why;
  EXPECT_TRUE(o.AsExpected(ExpectFail({"propagation"}), why)) << why;
  EXPECT_FALSE(o.AsExpected(ExpectFail({"sampling"}), why));
  EXPECT_NE(why.find("'sampling'"), std::string::npos) << why;
}

TEST(RunOutcome, ExpectedFailureThatPassesIsNotAsExpected) {
  RunOutcome o;
  o.results = {Result("propagation", true)};
  std::string why;
  EXPECT_FALSE(o.AsExpected(ExpectFail({"propagation"}), why));
  EXPECT_NE(why.find("every check passed"), std::string::npos);
}

TEST(RunOutcome, AnUnexpectedFailureBesideTheExpectedOneIsASurprise) {
  RunOutcome o;
  o.results = {Result("propagation", false), Result("throughput", false)};
  std::string why;
  EXPECT_FALSE(o.AsExpected(ExpectFail({"propagation"}), why));
  EXPECT_NE(why.find("'throughput'"), std::string::npos) << why;
}

TEST(RunOutcome, InterruptedOrBrokenRunsNeverConclude) {
  RunOutcome o;
  o.results = {Result("structure", true)};
  o.status = RunOutcome::Status::kInterrupted;
  std::string why;
  EXPECT_FALSE(o.AsExpected(Expectation{}, why));
  EXPECT_EQ(why, "the run was interrupted");
}

Scenario NamedScenario() {
  Scenario s;
  s.name = "demo";
  s.file = "scenarios/demo.yaml";
  return s;
}

TEST(Junit, OneTestcasePerCheckPlusTheVerdictWithFailuresCounted) {
  Scenario s = NamedScenario();
  RunOutcome o;
  o.results = {Result("structure", true), Result("latency", false, "p99 <1 s> & \"more\"")};
  RunVerdict v;
  v.as_expected = false;
  v.why = "a check failed";
  const std::string xml = JunitXml(s, o, v, "2026-11-25T00:00:00Z");
  EXPECT_NE(xml.find("tests=\"3\" failures=\"2\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("p99 &lt;1 s&gt; &amp; &quot;more&quot;"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<1 s>"), std::string::npos) << "unescaped text in XML";
}

TEST(Junit, AnExpectedFailureKeepsTheSuiteGreen) {
  Scenario s = NamedScenario();
  s.expect = ExpectFail({"propagation"});
  RunOutcome o;
  o.results = {Result("propagation", false)};
  RunVerdict v;
  v.as_expected = true;
  const std::string xml = JunitXml(s, o, v, "t");
  EXPECT_NE(xml.find("failures=\"0\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("failed as the scenario expects"), std::string::npos) << xml;
}

TEST(Junit, ControlCharactersCannotBreakTheXml) {
  EXPECT_EQ(XmlEscape(std::string("a\x01"
                                  "b\n")),
            "a?b\n");
}

TEST(SummaryJson, CarriesVerdictChecksAndBothLatencies) {
  Scenario s = NamedScenario();
  RunOutcome o;
  o.results = {Result("structure", true)};
  o.data.load.sent = 10;
  o.data.load.corrected.Record(2'000'000);
  o.data.load.uncorrected.Record(1'000'000);
  RunVerdict v;
  v.checks_passed = v.as_expected = true;
  const nlohmann::json j = SummaryJson(s, o, v, "t");
  EXPECT_EQ(j["verdict"], "pass");
  EXPECT_EQ(j["checks"].size(), 1u);
  EXPECT_EQ(j["checks"][0]["status"], "pass");
  EXPECT_NEAR(j["load"]["latency_corrected"]["p50_ms"].get<double>(), 2.0, 0.01);
  EXPECT_NEAR(j["load"]["latency_uncorrected"]["p50_ms"].get<double>(), 1.0, 0.01);
  EXPECT_EQ(j["versions"]["opentelemetry_proto"], TRACEPROOF_OTLP_PROTO_VERSION);
}

}  // namespace
}  // namespace traceproof
