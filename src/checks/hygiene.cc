// hygiene: telemetry that works today but hurts tomorrow. Attribute keys whose values explode
// (a user id or raw URL as an attribute makes every backend index unbounded), spans outside
// their parent's time range (clock skew between hosts: reported, never fixed), and spans
// without service.name (they land in "unknown_service" dashboards).
#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>

#include "checks/check_util.h"
#include "checks/hygiene_spec.h"
#include "checks/make_check.h"
#include "otlp/span_details.h"
#include "store/trace_shape.h"

namespace traceproof {

namespace {

using checks::AddEvidence;

std::string ValueKey(const pb::AnyValue& v) {
  switch (v.value_case()) {
    case pb::AnyValue::kStringValue:
      return "s" + v.string_value();
    case pb::AnyValue::kIntValue:
      return "i" + std::to_string(v.int_value());
    case pb::AnyValue::kBoolValue:
      return v.bool_value() ? "btrue" : "bfalse";
    default:
      return "x" + v.SerializeAsString();
  }
}

class HygieneCheck final : public Check {
 public:
  explicit HygieneCheck(HygieneSpec spec) : spec_(std::move(spec)) {}

  std::unique_ptr<TraceTally> NewTally(const TallyContext&) const override {
    return std::make_unique<Census>(*this);
  }

  CheckResult Judge(const TraceTally& tally, const RunData&) const override {
    const Census& census = static_cast<const Census&>(tally);
    CheckResult r;
    r.kind = "hygiene";
    r.pos = spec_.pos;
    r.label = "attribute cardinality <= " + std::to_string(spec_.max_cardinality) +
              ", clock_skew " + spec_.clock_skew.text + ", missing_service_name " +
              spec_.missing_service_name.text;
    const std::size_t cap = Cap();

    std::vector<std::string> failures, notes;
    std::vector<std::string> exploding;
    nlohmann::json cardinality = nlohmann::json::object();
    for (const auto& [key, set] : census.values) {
      cardinality[key] = set.size();
      if (set.size() >= cap) exploding.push_back(key);
    }
    if (!exploding.empty()) {
      failures.push_back("attribute keys with more than " + std::to_string(spec_.max_cardinality) +
                         " distinct values: " + Join(exploding) +
                         " (ids or raw URLs as attributes explode backend indexes)");
      for (const auto& key : exploding)
        checks::MergeEvidence(r.evidence, census.key_evidence.at(key));
    } else {
      notes.push_back(std::to_string(census.values.size()) + " attribute keys, none above " +
                      std::to_string(spec_.max_cardinality) + " distinct values");
    }
    const double spans = double(census.spans);
    auto judge = [&](const Comparison& c, std::uint64_t n, const std::string& what,
                     const std::vector<std::string>& evidence) {
      const std::string text = checks::FormatMeasured(c, double(n), spans) + " of " +
                               std::to_string(census.spans) + " spans " + what;
      if (c.Holds(checks::Measured(c, double(n), spans))) {
        notes.push_back(text);
        return;
      }
      failures.push_back(text + ", want " + c.text);
      checks::MergeEvidence(r.evidence, evidence);
    };
    judge(spec_.clock_skew, census.skewed, "outside their parent's time range (clock skew)",
          census.skew_evidence);
    judge(spec_.missing_service_name, census.nameless, "without service.name",
          census.nameless_evidence);

    r.passed = failures.empty();
    r.reason = Join(r.passed ? notes : failures, "; ");
    r.details = {{"spans", census.spans},
                 {"skewed_spans", census.skewed},
                 {"spans_without_service_name", census.nameless},
                 {"high_cardinality_keys", exploding},
                 {"cardinality_capped_at", cap},
                 {"cardinality", cardinality}};
    return r;
  }

 private:
  std::size_t Cap() const { return static_cast<std::size_t>(spec_.max_cardinality) + 1; }

  // What the sink's spans hold: distinct values per attribute key, skewed and nameless spans.
  struct Census final : TraceTally {
    explicit Census(const HygieneCheck& c)
        : check(&c), ignored(c.spec_.ignore_keys.begin(), c.spec_.ignore_keys.end()) {}
    void Add(const Trace& trace) override { check->Survey(trace, *this); }
    const HygieneCheck* check;
    std::unordered_set<std::string> ignored;
    std::map<std::string, std::unordered_set<std::string>> values;
    std::map<std::string, std::vector<std::string>> key_evidence;
    std::uint64_t spans = 0, skewed = 0, nameless = 0;
    std::vector<std::string> skew_evidence, nameless_evidence;
  };

  // Distinct values per key, each set capped just past the limit: a user id on every span of a
  // long run must not hold millions of strings to prove what one more already proves. Skew is
  // a parent-child finding: an update's late spans (without their parents) are not judged.
  void Survey(const Trace& t, Census& c) const {
    const std::size_t cap = Cap();
    if (!t.IsUpdate()) {
      const TraceShape shape = AnalyzeTrace(t);
      c.skewed += shape.skewed.size();
      if (!shape.skewed.empty()) AddEvidence(c.skew_evidence, t.id);
    }
    for (std::size_t i = t.IsUpdate() ? t.new_from : 0; i < t.spans.size(); ++i) {
      const SpanView& s = t.spans[i];
      ++c.spans;
      if (s.service_name.empty()) {
        ++c.nameless;
        AddEvidence(c.nameless_evidence, t.id);
      }
      pb::Span decoded;
      if (!decoded.ParseFromArray(s.raw.data(), static_cast<int>(s.raw.size()))) continue;
      for (const auto& kv : decoded.attributes()) {
        if (c.ignored.count(kv.key())) continue;
        auto& set = c.values[kv.key()];
        if (set.size() >= cap) continue;
        if (set.insert(ValueKey(kv.value())).second && set.size() == cap)
          AddEvidence(c.key_evidence[kv.key()], t.id);
      }
    }
  }

  HygieneSpec spec_;
};

}  // namespace

std::unique_ptr<Check> MakeHygieneCheck(const HygieneSpec& spec) {
  return std::make_unique<HygieneCheck>(spec);
}

}  // namespace traceproof
