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
#include "otlp/span_details.h"
#include "store/trace_shape.h"

namespace traceproof {

namespace {

using checks::AddEvidence;

enum class Relation { kNone, kChild, kDescendant, kParent };

struct ExpectedAttribute {
  std::string key;
  std::optional<std::string> value;  // nullopt: present with any value
};

struct StructureOptions {
  Selector select;
  Relation relation = Relation::kNone;
  std::optional<Selector> related;
  Comparison count;
  std::vector<ExpectedAttribute> attributes;
  bool no_orphans = false;
  bool single_root = false;
  SourcePos pos;
};

std::string_view RelationName(Relation r) {
  switch (r) {
    case Relation::kChild:
      return "child";
    case Relation::kDescendant:
      return "descendant";
    case Relation::kParent:
      return "parent";
    case Relation::kNone:
      break;
  }
  return "";
}

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
  explicit StructureCheck(StructureOptions o) : o_(std::move(o)) {}

  // With a relation, `count` is judged span by span; without, it counts spans over the run.
  bool SoundOnSample() const override {
    return o_.relation != Relation::kNone || o_.count.UpperBoundOnCount();
  }

  CheckResult Run(const RunData& data) const override {
    CheckResult r;
    r.kind = "structure";
    r.pos = o_.pos;
    r.label = Label();

    std::uint64_t selected = 0, relation_violations = 0, attribute_violations = 0;
    std::uint64_t traces_with_selected = 0, orphaned_traces = 0, multi_root_traces = 0;
    std::vector<std::string> evidence_relation, evidence_attr, evidence_orphans, evidence_roots;
    std::map<std::string, std::uint64_t> missing_by_key;
    for (const auto& trace_ptr : data.traces) {
      const Trace& trace = *trace_ptr;
      std::vector<std::size_t> chosen;
      for (std::size_t i = 0; i < trace.spans.size(); ++i)
        if (o_.select.Matches(trace.spans[i])) chosen.push_back(i);
      if (chosen.empty()) continue;
      ++traces_with_selected;
      selected += chosen.size();
      const bool need_shape = o_.relation != Relation::kNone || o_.no_orphans || o_.single_root;
      const TraceShape shape = need_shape ? AnalyzeTrace(trace) : TraceShape{};
      if (o_.relation != Relation::kNone) {
        for (std::size_t i : chosen) {
          if (!o_.count.Holds(static_cast<double>(Related(trace, shape, i)))) {
            ++relation_violations;
            AddEvidence(evidence_relation, trace.id);
          }
        }
      }
      if (!o_.attributes.empty()) {
        for (std::size_t i : chosen) {
          const auto missing = MissingAttributes(trace.spans[i], o_.attributes);
          if (missing.empty()) continue;
          ++attribute_violations;
          for (const auto& key : missing) ++missing_by_key[key];
          AddEvidence(evidence_attr, trace.id);
        }
      }
      if (o_.no_orphans && !shape.orphans.empty()) {
        ++orphaned_traces;
        AddEvidence(evidence_orphans, trace.id);
      }
      if (o_.single_root && shape.roots.size() != 1) {
        ++multi_root_traces;
        AddEvidence(evidence_roots, trace.id);
      }
    }

    std::vector<std::string> failures, notes;
    const std::string sel = o_.select.text();
    if (o_.relation == Relation::kNone) {
      const std::string what = std::to_string(selected) + " spans match " + sel;
      if (o_.count.Holds(static_cast<double>(selected))) {
        notes.push_back(what);
      } else {
        failures.push_back(what + ", want count " + o_.count.text);
      }
    } else if (selected == 0) {
      failures.push_back("no span matches " + sel + ", so its " +
                         std::string(RelationName(o_.relation)) + "s cannot be checked");
    } else if (relation_violations > 0) {
      failures.push_back(std::to_string(relation_violations) + " of " + std::to_string(selected) +
                         " spans matching " + sel + " do not have " + o_.count.text + " " +
                         std::string(RelationName(o_.relation)) + " " + o_.related->text());
    } else {
      notes.push_back("all " + std::to_string(selected) + " spans matching " + sel + " have " +
                      o_.count.text + " " + std::string(RelationName(o_.relation)) + " " +
                      o_.related->text());
    }
    if (attribute_violations > 0) {
      std::string keys;
      for (const auto& [key, n] : missing_by_key)
        keys += (keys.empty() ? "" : ", ") + key + " (" + std::to_string(n) + ")";
      failures.push_back(std::to_string(attribute_violations) + " of " + std::to_string(selected) +
                         " selected spans lack attributes: " + keys);
    }
    if (orphaned_traces > 0) {
      failures.push_back(std::to_string(orphaned_traces) + " of " +
                         std::to_string(traces_with_selected) +
                         " traces have orphans (a parent that never arrived)");
    }
    if (multi_root_traces > 0) {
      failures.push_back(std::to_string(multi_root_traces) + " of " +
                         std::to_string(traces_with_selected) +
                         " traces do not have exactly one root");
    }
    r.passed = failures.empty();
    r.reason = r.passed ? Join(notes, "; ") : Join(failures, "; ");
    for (auto* list : {&evidence_relation, &evidence_attr, &evidence_orphans, &evidence_roots})
      for (const auto& id : *list)
        if (r.evidence.size() < checks::kMaxEvidence &&
            std::find(r.evidence.begin(), r.evidence.end(), id) == r.evidence.end())
          r.evidence.push_back(id);
    r.details = {{"selected_spans", selected},
                 {"traces_with_selected", traces_with_selected},
                 {"relation_violations", relation_violations},
                 {"attribute_violations", attribute_violations},
                 {"orphaned_traces", orphaned_traces},
                 {"multi_root_traces", multi_root_traces}};
    return r;
  }

 private:
  std::string Label() const {
    std::string label = o_.select.text();
    if (o_.relation != Relation::kNone) {
      label += " " + std::string(RelationName(o_.relation)) + " " + o_.related->text();
    }
    label += " count " + o_.count.text;
    for (const auto& a : o_.attributes)
      label += ", attr " + a.key + (a.value ? "=\"" + *a.value + "\"" : "");
    if (o_.no_orphans) label += ", no orphans";
    if (o_.single_root) label += ", single root";
    return label;
  }

  std::size_t Related(const Trace& trace, const TraceShape& shape, std::size_t i) const {
    const auto& spans = trace.spans;
    switch (o_.relation) {
      case Relation::kChild: {
        std::size_t n = 0;
        for (std::size_t c : shape.children[i]) n += o_.related->Matches(spans[c]) ? 1 : 0;
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
          n += o_.related->Matches(spans[d]) ? 1 : 0;
          stack.insert(stack.end(), shape.children[d].begin(), shape.children[d].end());
        }
        return n;
      }
      case Relation::kParent: {
        const std::size_t p = shape.parent[i];
        return p != TraceShape::kNone && o_.related->Matches(spans[p]) ? 1 : 0;
      }
      case Relation::kNone:
        break;
    }
    return 0;
  }

  StructureOptions o_;
};

}  // namespace

std::unique_ptr<Check> MakeStructureCheck(const YAML::Node& options, const std::string& file) {
  YamlReader reader(file);
  const auto fields = checks::OptionFields(reader, options, "structure",
                                           {"select", "child", "descendant", "parent", "count",
                                            "attributes", "no_orphans", "single_root"});
  StructureOptions o{
      .select = checks::ReadSelector(
          reader, checks::Require(reader, fields, options, "select",
                                  "in the structure check (which spans it is about)")),
      .relation = Relation::kNone,
      .related = std::nullopt,
      .count = ParseComparison(YAML::Node(">= 1"), file, "count"),
      .attributes = {},
      .no_orphans = false,
      .single_root = false,
      .pos = reader.Pos(options)};
  const Field* relation_field = nullptr;
  for (const Field& f : fields) {
    if (f.name == "child" || f.name == "descendant" || f.name == "parent") {
      if (relation_field) {
        reader.Fail(f.key, "'" + f.name + "' and '" + relation_field->name +
                               "' in one structure check: use one relation per check");
      }
      relation_field = &f;
      o.relation = f.name == "child"        ? Relation::kChild
                   : f.name == "descendant" ? Relation::kDescendant
                                            : Relation::kParent;
      o.related = checks::ReadSelector(reader, f);
    } else if (f.name == "count") {
      o.count = checks::ReadComparison(reader, f);
      if (o.count.duration || o.count.percent) {
        reader.Fail(f, "'count' compares a number of spans, not '" + o.count.text +
                           "' (e.g. \">= 1\", \"== 0\")");
      }
    } else if (f.name == "attributes") {
      for (const Field& a : reader.Entries(f.value, reader.Pos(f), "attribute keys")) {
        if (!a.value.IsScalar()) {
          reader.Fail(a, "attribute '" + a.name +
                             "': want a value (\"/checkout\") or true (present), got " +
                             Describe(a.value));
        }
        ExpectedAttribute e{.key = a.name, .value = std::nullopt};
        // `true` without quotes means "present"; a quoted "true" is the string value.
        if (!(a.value.Tag() == "?" && a.value.Scalar() == "true")) e.value = a.value.Scalar();
        o.attributes.push_back(std::move(e));
      }
    } else if (f.name == "no_orphans") {
      o.no_orphans = reader.Bool(f);
    } else if (f.name == "single_root") {
      o.single_root = reader.Bool(f);
    }
  }
  return std::make_unique<StructureCheck>(std::move(o));
}

}  // namespace traceproof
