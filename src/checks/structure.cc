// structure: what the traces must contain. A selector picks spans; without a relation the check
// counts them over the run ("at least one span[name="charge-card"]"), with a relation each
// selected span must have a number of related spans (children, descendants or a parent) that
// satisfies `count`. `attributes`, `no_orphans` and `single_root` add per-span and per-trace
// assertions about the selected spans.
#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include "checks/check_util.h"
#include "checks/forgetting_map.h"
#include "checks/make_check.h"
#include "checks/structure_spec.h"
#include "checks/trace_skeleton.h"
#include "otlp/span_details.h"

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

  std::unique_ptr<TraceTally> NewTally(const TallyContext& context) const override {
    return std::make_unique<Tally>(*this, context.forget_traces_after);
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
  // A trace's skeleton and what it showed, kept for late spans (checks/trace_skeleton.h).
  struct Held {
    std::vector<checks::SkeletonSpan> spans;
    checks::ShapeVerdict verdict;
  };

  // What the selected spans and their traces showed over the run.
  struct Tally final : TraceTally {
    Tally(const StructureCheck& check, std::optional<std::chrono::nanoseconds> forget_after)
        : check(check), held(forget_after) {}
    void Add(const Trace& trace) override { check.TallyTrace(trace, *this); }
    const StructureCheck& check;
    std::uint64_t selected = 0, relation_violations = 0, attribute_violations = 0;
    std::uint64_t traces_with_selected = 0, orphaned_traces = 0, multi_root_traces = 0;
    std::vector<std::string> evidence_relation, evidence_attr, evidence_orphans, evidence_roots;
    std::map<std::string, std::uint64_t> missing_by_key;
    checks::ForgettingMap<Held> held;  // with a shape to judge: the recent traces' skeletons
  };

  bool NeedsShape() const {
    return spec_.relation != Relation::kNone || spec_.no_orphans || spec_.single_root;
  }

  // Counts and attribute findings of the trace's new spans (an update record's late ones);
  // its shape judged with every span of it seen so far.
  void TallyTrace(const Trace& trace, Tally& t) const {
    const std::size_t from = trace.IsUpdate() ? trace.new_from : 0;
    std::vector<std::size_t> chosen;
    for (std::size_t i = from; i < trace.spans.size(); ++i)
      if (spec_.select.Matches(trace.spans[i])) chosen.push_back(i);
    t.selected += chosen.size();
    if (!spec_.attributes.empty()) {
      for (std::size_t i : chosen) {
        const auto missing = MissingAttributes(trace.spans[i], spec_.attributes);
        if (missing.empty()) continue;
        ++t.attribute_violations;
        for (const auto& key : missing) ++t.missing_by_key[key];
        AddEvidence(t.evidence_attr, trace.id);
      }
    }
    if (NeedsShape()) {
      TallyShape(trace, from, chosen, t);
    } else if (!trace.IsUpdate() && !chosen.empty()) {
      ++t.traces_with_selected;
    }
  }

  // A late span joins the skeleton its trace left and the trace is judged again: what its
  // earlier judgment counted is taken back. When the skeleton was forgotten, late spans are only
  // counted (alone, their parents would look missing). `chosen`: the selected spans from `from`.
  void TallyShape(const Trace& trace, std::size_t from, const std::vector<std::size_t>& chosen,
                  Tally& t) const {
    Held* earlier = trace.IsUpdate() ? t.held.Find(trace.id) : nullptr;
    if (trace.IsUpdate() && !earlier) return;
    Held& h = t.held.Touch(trace.id, trace.last_seen);
    if (!earlier) h = Held{};
    auto next = chosen.begin();  // ascending: walked beside the spans
    for (std::size_t i = from; i < trace.spans.size(); ++i) {
      const SpanView& s = trace.spans[i];
      const bool selected = next != chosen.end() && *next == i;
      if (selected) ++next;
      h.spans.push_back(
          {s.span_id, s.parent_span_id, selected, spec_.related && spec_.related->Matches(s)});
    }
    const checks::ShapeVerdict before = h.verdict;
    h.verdict = checks::JudgeSkeleton(
        h.spans, spec_.relation, [&](std::uint64_t n) { return spec_.count.Holds(double(n)); });
    Count(before, h.verdict, trace.id, t);
  }

  // Takes `before` back (zero for a trace judged the first time) and counts `after`.
  void Count(const checks::ShapeVerdict& before, const checks::ShapeVerdict& after,
             const TraceId& id, Tally& t) const {
    if (!after.any_selected) return;  // nothing selected yet: no trace of this check
    t.traces_with_selected += !before.any_selected;
    t.relation_violations += after.relation_violations - before.relation_violations;
    Recount(before.relation_violations > 0, after.relation_violations > 0, id, t.evidence_relation);
    if (spec_.no_orphans) {
      const bool was = before.any_selected && before.orphaned;
      t.orphaned_traces += std::uint64_t(after.orphaned) - std::uint64_t(was);
      Recount(was, after.orphaned, id, t.evidence_orphans);
    }
    if (spec_.single_root) {
      const bool was = before.any_selected && before.multi_root;
      t.multi_root_traces += std::uint64_t(after.multi_root) - std::uint64_t(was);
      Recount(was, after.multi_root, id, t.evidence_roots);
    }
  }

  static void Recount(bool was, bool is, const TraceId& id, std::vector<std::string>& evidence) {
    if (is && !was) AddEvidence(evidence, id);
    if (was && !is)
      evidence.erase(std::remove(evidence.begin(), evidence.end(), id.Hex()), evidence.end());
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

  StructureSpec spec_;
};

}  // namespace

std::unique_ptr<Check> MakeStructureCheck(const StructureSpec& spec) {
  return std::make_unique<StructureCheck>(spec);
}

}  // namespace traceproof
