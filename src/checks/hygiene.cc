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

  CheckResult Run(const RunData& data) const override {
    CheckResult r;
    r.kind = "hygiene";
    r.pos = spec_.pos;
    r.label = "attribute cardinality <= " + std::to_string(spec_.max_cardinality) +
              ", clock_skew " + spec_.clock_skew.text + ", missing_service_name " +
              spec_.missing_service_name.text;

    // Distinct values per key, each set capped just past the limit: a user id on every span of
    // a long run must not hold millions of strings to prove what one more already proves.
    const std::size_t cap = static_cast<std::size_t>(spec_.max_cardinality) + 1;
    std::map<std::string, std::unordered_set<std::string>> values;
    std::map<std::string, std::vector<std::string>> key_evidence;
    const std::unordered_set<std::string> ignored(spec_.ignore_keys.begin(),
                                                  spec_.ignore_keys.end());
    std::uint64_t spans = 0, skewed = 0, nameless = 0;
    std::vector<std::string> skew_evidence, nameless_evidence;
    for (const auto& t : data.traces) {
      const TraceShape shape = AnalyzeTrace(*t);
      skewed += shape.skewed.size();
      if (!shape.skewed.empty()) AddEvidence(skew_evidence, t->id);
      for (const SpanView& s : t->spans) {
        ++spans;
        if (s.service_name.empty()) {
          ++nameless;
          AddEvidence(nameless_evidence, t->id);
        }
        pb::Span decoded;
        if (!decoded.ParseFromArray(s.raw.data(), static_cast<int>(s.raw.size()))) continue;
        for (const auto& kv : decoded.attributes()) {
          if (ignored.count(kv.key())) continue;
          auto& set = values[kv.key()];
          if (set.size() >= cap) continue;
          if (set.insert(ValueKey(kv.value())).second && set.size() == cap)
            AddEvidence(key_evidence[kv.key()], t->id);
        }
      }
    }

    std::vector<std::string> failures, notes;
    std::vector<std::string> exploding;
    nlohmann::json cardinality = nlohmann::json::object();
    for (const auto& [key, set] : values) {
      cardinality[key] = set.size();
      if (set.size() >= cap) exploding.push_back(key);
    }
    if (!exploding.empty()) {
      failures.push_back("attribute keys with more than " + std::to_string(spec_.max_cardinality) +
                         " distinct values: " + Join(exploding) +
                         " (ids or raw URLs as attributes explode backend indexes)");
      for (const auto& key : exploding)
        for (const auto& id : key_evidence[key])
          if (r.evidence.size() < checks::kMaxEvidence &&
              std::find(r.evidence.begin(), r.evidence.end(), id) == r.evidence.end())
            r.evidence.push_back(id);
    } else {
      notes.push_back(std::to_string(values.size()) + " attribute keys, none above " +
                      std::to_string(spec_.max_cardinality) + " distinct values");
    }
    auto judge = [&](const Comparison& c, std::uint64_t n, const std::string& what,
                     const std::vector<std::string>& evidence) {
      const std::string text = checks::FormatMeasured(c, double(n), double(spans)) + " of " +
                               std::to_string(spans) + " spans " + what;
      if (c.Holds(checks::Measured(c, double(n), double(spans)))) {
        notes.push_back(text);
        return;
      }
      failures.push_back(text + ", want " + c.text);
      for (const auto& id : evidence)
        if (r.evidence.size() < checks::kMaxEvidence &&
            std::find(r.evidence.begin(), r.evidence.end(), id) == r.evidence.end())
          r.evidence.push_back(id);
    };
    judge(spec_.clock_skew, skewed, "outside their parent's time range (clock skew)",
          skew_evidence);
    judge(spec_.missing_service_name, nameless, "without service.name", nameless_evidence);

    r.passed = failures.empty();
    r.reason = Join(r.passed ? notes : failures, "; ");
    r.details = {{"spans", spans},
                 {"skewed_spans", skewed},
                 {"spans_without_service_name", nameless},
                 {"high_cardinality_keys", exploding},
                 {"cardinality_capped_at", cap},
                 {"cardinality", cardinality}};
    return r;
  }

 private:
  HygieneSpec spec_;
};

}  // namespace

std::unique_ptr<Check> MakeHygieneCheck(const HygieneSpec& spec) {
  return std::make_unique<HygieneCheck>(spec);
}

}  // namespace traceproof
