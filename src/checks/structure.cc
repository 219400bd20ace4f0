// structure: what the traces must contain. A selector picks spans; without a relation the check
// counts them over the run ("at least one span[name="charge-card"]"), with a relation each
// selected span must have a number of related spans (children, descendants or a parent) that
// satisfies `count`. `attributes`, `no_orphans` and `single_root` add per-span and per-trace
// assertions about the selected spans.
#include <algorithm>
#include <map>
#include <optional>

#include "checks/check_util.h"
#include "checks/make_check.h"
#include "checks/structure_spec.h"
#include "otlp/span_details.h"
#include "store/trace_shape.h"

namespace traceproof {

namespace {

using checks::AddEvidence;

// Which expected attributes the span lacks (or has with another value), e.g. "http.route".
std::vector<std::string> MissingAttributes(const SpanView& span,
                                           const std::vector<ExpectedAttribute>& expected) {
  std::vector<std::string> missing;
  pb::Span decoded;
  if (!decoded.ParseFromArray(span.raw.data(), static_cast<int>(span.raw.size()))) {
    for (const auto& e : expected) missing.push_back(e.key);
    return missing;
  }
  for (const auto& e : expected) {
    bool ok = false;
    for (const auto& kv : decoded.attributes()) {
      if (kv.key() == e.key && (!e.value || checks::AttributeText(kv.value()) == *e.value))
        ok = true;
    }
    if (!ok) missing.push_back(e.key);
  }
  return missing;
}

class StructureCheck final : public Check {
 public:
  explicit StructureCheck(StructureSpec spec) : spec_(std::move(spec)) {}

  std::unique_ptr<TraceTally> NewTally(const TallyContext&) const override {
    return std::make_unique<Tally>(*this);
  }

  CheckResult Judge(const TraceTally& base, const RunData&) const override {
    const Tally& tally = static_cast<const Tally&>(base);
    CheckResult r;
    r.kind = "structure";
    r.pos = spec_.pos;
    r.label = Label();
    std::vector<std::string> failures, notes;
    JudgeCount(tally, failures, notes);
    JudgeTraces(tally, failures);
    r.passed = failures.empty();
    r.reason = r.passed ? Join(notes, "; ") : Join(failures, "; ");
    for (const auto* list : {&tally.evidence_relation, &tally.evidence_attr,
                             &tally.evidence_orphans, &tally.evidence_roots})
      checks::MergeEvidence(r.evidence, *list);
    r.details = {{"selected_spans", tally.selected},
                 {"traces_with_selected", tally.traces_with_selected},
                 {"relation_violations", tally.relation_violations},
                 {"attribute_violations", tally.attribute_violations},
                 {"orphaned_traces", tally.orphaned_traces},
                 {"multi_root_traces", tally.multi_root_traces}};
    return r;
  }

 private:
  // What the selected spans and their traces showed over the run.
  struct Tally final : TraceTally {
    explicit Tally(const StructureCheck& check) : check(check) {}
    void Add(const Trace& trace) override { check.TallyTrace(trace, *this); }
    const StructureCheck& check;
    std::uint64_t selected = 0, relation_violations = 0, attribute_violations = 0;
    std::uint64_t traces_with_selected = 0, orphaned_traces = 0, multi_root_traces = 0;
    std::vector<std::string> evidence_relation, evidence_attr, evidence_orphans, evidence_roots;
    std::map<std::string, std::uint64_t> missing_by_key;
  };

  // An update record (late spans of a trace handed out before) adds its spans to the counts
  // and attribute findings; its shape cannot be judged without the spans handed out earlier.
  void TallyTrace(const Trace& trace, Tally& t) const {
    std::vector<std::size_t> chosen;
    const bool update = trace.IsUpdate();
    for (std::size_t i = update ? trace.new_from : 0; i < trace.spans.size(); ++i)
      if (spec_.select.Matches(trace.spans[i])) chosen.push_back(i);
    if (chosen.empty()) return;
    if (!update) ++t.traces_with_selected;
    t.selected += chosen.size();
    const bool need_shape =
        !update && (spec_.relation != Relation::kNone || spec_.no_orphans || spec_.single_root);
    const TraceShape shape = need_shape ? AnalyzeTrace(trace) : TraceShape{};
    if (need_shape && spec_.relation != Relation::kNone) {
      for (std::size_t i : chosen) {
        if (!spec_.count.Holds(static_cast<double>(Related(trace, shape, i)))) {
          ++t.relation_violations;
          AddEvidence(t.evidence_relation, trace.id);
        }
      }
    }
    if (!spec_.attributes.empty()) {
      for (std::size_t i : chosen) {
        const auto missing = MissingAttributes(trace.spans[i], spec_.attributes);
        if (missing.empty()) continue;
        ++t.attribute_violations;
        for (const auto& key : missing) ++t.missing_by_key[key];
        AddEvidence(t.evidence_attr, trace.id);
      }
    }
    if (!need_shape) return;
    if (spec_.no_orphans && !shape.orphans.empty()) {
      ++t.orphaned_traces;
      AddEvidence(t.evidence_orphans, trace.id);
    }
    if (spec_.single_root && shape.roots.size() != 1) {
      ++t.multi_root_traces;
      AddEvidence(t.evidence_roots, trace.id);
    }
  }

  // `count`: over the run without a relation, else per selected span.
  void JudgeCount(const Tally& t, std::vector<std::string>& failures,
                  std::vector<std::string>& notes) const {
    const std::string sel = spec_.select.text();
    const std::string relation(RelationName(spec_.relation));
    if (spec_.relation == Relation::kNone) {
      const std::string what = std::to_string(t.selected) + " spans match " + sel;
      if (spec_.count.Holds(static_cast<double>(t.selected))) {
        notes.push_back(what);
      } else {
        failures.push_back(what + ", want count " + spec_.count.text);
      }
    } else if (t.selected == 0) {
      failures.push_back("no span matches " + sel + ", so its " + relation + "s cannot be checked");
    } else if (t.relation_violations > 0) {
      failures.push_back(std::to_string(t.relation_violations) + " of " +
                         std::to_string(t.selected) + " spans matching " + sel + " do not have " +
                         spec_.count.text + " " + relation + " " + spec_.related->text());
    } else {
      notes.push_back("all " + std::to_string(t.selected) + " spans matching " + sel + " have " +
                      spec_.count.text + " " + relation + " " + spec_.related->text());
    }
  }

  // Attributes, orphans and roots: failures only.
  static void JudgeTraces(const Tally& t, std::vector<std::string>& failures) {
    if (t.attribute_violations > 0) {
      std::string keys;
      for (const auto& [key, n] : t.missing_by_key)
        keys += (keys.empty() ? "" : ", ") + key + " (" + std::to_string(n) + ")";
      failures.push_back(std::to_string(t.attribute_violations) + " of " +
                         std::to_string(t.selected) + " selected spans lack attributes: " + keys);
    }
    if (t.orphaned_traces > 0) {
      failures.push_back(std::to_string(t.orphaned_traces) + " of " +
                         std::to_string(t.traces_with_selected) +
                         " traces have orphans (a parent that never arrived)");
    }
    if (t.multi_root_traces > 0) {
      failures.push_back(std::to_string(t.multi_root_traces) + " of " +
                         std::to_string(t.traces_with_selected) +
                         " traces do not have exactly one root");
    }
  }

  std::string Label() const {
    std::string label = spec_.select.text();
    if (spec_.relation != Relation::kNone) {
      label += " " + std::string(RelationName(spec_.relation)) + " " + spec_.related->text();
    }
    label += " count " + spec_.count.text;
    for (const auto& a : spec_.attributes)
      label += ", attr " + a.key + (a.value ? "=\"" + *a.value + "\"" : "");
    if (spec_.no_orphans) label += ", no orphans";
    if (spec_.single_root) label += ", single root";
    return label;
  }

  std::size_t Related(const Trace& trace, const TraceShape& shape, std::size_t i) const {
    const auto& spans = trace.spans;
    switch (spec_.relation) {
      case Relation::kChild: {
        std::size_t n = 0;
        for (std::size_t c : shape.children[i]) n += spec_.related->Matches(spans[c]) ? 1 : 0;
        return n;
      }
      case Relation::kDescendant: {
        std::size_t n = 0;
        std::vector<std::size_t> stack(shape.children[i].begin(), shape.children[i].end());
        std::vector<bool> seen(spans.size(), false);  // guards against id cycles
        while (!stack.empty()) {
          const std::size_t d = stack.back();
          stack.pop_back();
          if (seen[d]) continue;
          seen[d] = true;
          n += spec_.related->Matches(spans[d]) ? 1 : 0;
          stack.insert(stack.end(), shape.children[d].begin(), shape.children[d].end());
        }
        return n;
      }
      case Relation::kParent: {
        const std::size_t p = shape.parent[i];
        return p != TraceShape::kNone && spec_.related->Matches(spans[p]) ? 1 : 0;
      }
      case Relation::kNone:
        break;
    }
    return 0;
  }

  StructureSpec spec_;
};

}  // namespace

std::unique_ptr<Check> MakeStructureCheck(const StructureSpec& spec) {
  return std::make_unique<StructureCheck>(spec);
}

}  // namespace traceproof
