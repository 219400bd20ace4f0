// junit.xml of a run: one testsuite (the scenario), one testcase per check, a <failure> with
// the check's reason and evidence when it failed — what CI systems (GitLab, Jenkins, GitHub
// test reporters) show per test. An expected failure (`expect:` in the scenario) is reported
// as passed with the failure in system-out, so the suite is green exactly when the exit code
// is 0. Pure function.
#pragma once

#include <string>

#include "report/summary_json.h"

namespace traceproof {

std::string JunitXml(const Scenario& scenario, const RunOutcome& outcome, const RunVerdict& verdict,
                     const std::string& started_utc);
std::string XmlEscape(std::string_view text);

}  // namespace traceproof
