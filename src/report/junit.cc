#include "report/junit.h"

#include <fmt/format.h>

#include <algorithm>

namespace traceproof {

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 forbids most control characters even escaped.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r')
          out += "?";
        else
          out += c;
    }
  }
  return out;
}

std::string JunitXml(const Scenario& scenario, const RunOutcome& outcome, const RunVerdict& verdict,
                     const std::string& started_utc) {
  const bool expect_fail = !scenario.expect.pass;
  auto expected_to_fail = [&](const CheckResult& r) {
    return expect_fail &&
           (scenario.expect.failing_kinds.empty() ||
            std::find(scenario.expect.failing_kinds.begin(), scenario.expect.failing_kinds.end(),
                      r.kind) != scenario.expect.failing_kinds.end());
  };
  int failures = 0;
  std::string cases;
  for (const CheckResult& r : outcome.results) {
    const std::string name = r.label.empty() ? r.kind : r.kind + ": " + r.label;
    std::string body;
    std::string evidence =
        r.evidence.empty() ? "" : "\ntraces: " + fmt::format("{}", fmt::join(r.evidence, " "));
    if (!r.passed && !expected_to_fail(r)) {
      ++failures;
      body = fmt::format("      <failure message=\"{}\">{}{}</failure>\n", XmlEscape(r.reason),
                         XmlEscape(r.reason), XmlEscape(evidence));
    } else {
      body = fmt::format("      <system-out>{}{}{}</system-out>\n",
                         r.passed ? "" : "failed as the scenario expects: ", XmlEscape(r.reason),
                         XmlEscape(evidence));
    }
    cases += fmt::format(
        "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\">\n{}    </testcase>\n",
        XmlEscape(scenario.name), XmlEscape(name), XmlEscape(r.pos.file), r.pos.line, body);
  }
  // The scenario's own expectation is a testcase too: an expected failure that did not happen
  // (or a run that did not complete) must turn the suite red.
  std::string expectation =
      fmt::format("    <testcase classname=\"{}\" name=\"verdict is {}\">\n",
                  XmlEscape(scenario.name), scenario.expect.pass ? "pass" : "fail (expected)");
  if (!verdict.as_expected) {
    ++failures;
    expectation += fmt::format("      <failure message=\"{}\"/>\n", XmlEscape(verdict.why));
  }
  expectation += "    </testcase>\n";
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites>\n"
      "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\" "
      "timestamp=\"{}\">\n{}{}  </testsuite>\n</testsuites>\n",
      XmlEscape(scenario.name), outcome.results.size() + 1, failures,
      outcome.status == RunOutcome::Status::kEnvironmentError ? 1 : 0, outcome.wall_seconds,
      XmlEscape(started_utc), cases, expectation);
}

}  // namespace traceproof
