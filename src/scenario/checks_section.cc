#include "scenario/checks_section.h"

#include <string>
#include <vector>

#include "checks/check_spec.h"
#include "scenario/scenario_keys.h"

namespace traceproof::loader {

void ParseChecks(ScenarioReader& r, const Field& field, Scenario& scenario) {
  if (field.value.IsNull()) return;  // every check commented out
  if (!field.value.IsSequence()) {
    r.Fail(field, "want a list of checks for 'checks', got " + Describe(field.value) +
                      ", e.g. - propagation: { broken_traces: \"== 0\" }");
  }
  for (const auto& entry : field.value) {
    if (!entry.IsMap() || entry.size() == 0) {
      r.Fail(entry, "want a check (a map with one key, the check kind), got " + Describe(entry) +
                        ", e.g. - propagation: { broken_traces: \"== 0\" }");
    }
    if (entry.size() > 1) {
      auto it = entry.begin();
      const std::string first = it->first.Scalar();
      ++it;
      r.Fail(it->first, "check entry has two keys, '" + first + "' and '" + it->first.Scalar() +
                            "': one check per entry; start each check with its own '-' (or "
                            "indent its options under the kind)");
    }
    scenario.checks.push_back(ParseCheckSpec(entry, r.file()));
  }
}

void ParseExpect(ScenarioReader& r, const Field& field, Scenario& scenario) {
  Expectation& expect = scenario.expect;
  expect.pos = r.Pos(field);
  const std::vector<Field> fields = r.Fields(
      field.value, r.Pos(field), "'expect' (e.g. { verdict: fail, failing: [propagation] })",
      "in expect", kExpectKeys);
  const Field* verdict = r.Find(fields, "verdict");
  if (verdict) {
    const std::string text = r.String(*verdict);
    if (!Contains(kVerdicts, text)) {
      r.Fail(*verdict,
             "unknown verdict '" + text + "'; expected pass or fail" + DidYouMean(text, kVerdicts));
    }
    expect.pass = text == "pass";
  }
  std::vector<std::string> kinds;
  for (const CheckSpec& check : scenario.checks)
    if (!Contains(kinds, check.kind)) kinds.push_back(check.kind);
  if (!expect.pass && kinds.empty()) {
    r.Fail(*verdict, "verdict: fail, but the scenario has no 'checks:' that could fail");
  }
  if (const Field* failing = r.Find(fields, "failing")) {
    if (expect.pass) {
      r.Fail(failing->key, "'failing' names checks that must fail: add verdict: fail");
    }
    if (!failing->value.IsSequence()) {
      r.Fail(*failing, "want a list of check kinds for 'failing', got " + Describe(failing->value) +
                           ", e.g. failing: [propagation]");
    }
    for (const auto& item : failing->value) {
      if (!item.IsScalar()) r.Fail(item, "want a check kind, got " + Describe(item));
      const std::string kind = item.Scalar();
      if (!Contains(kinds, kind)) {
        r.Fail(item, "expect failing '" + kind + "', but the scenario has no '" + kind +
                         "' check; its checks are: " + Join(kinds) + DidYouMean(kind, kinds));
      }
      expect.failing_kinds.push_back(kind);
    }
  }
}

}  // namespace traceproof::loader
