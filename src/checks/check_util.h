// Helpers shared by the check kinds (checks/<kind>_spec.cc and <kind>.cc): strict option reading
// on top of YamlReader, evidence lists, ground truth by span id, percentiles over sorted vectors
// and number formatting for reasons. Internal to the checks library; stateless functions and
// read-only indexes, thread-safe.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "checks/check.h"
#include "checks/comparison.h"
#include "checks/selector.h"
#include "config/yaml_reader.h"
#include "otlp/ids.h"
#include "otlp/span_details.h"

namespace traceproof::checks {

inline constexpr std::size_t kMaxEvidence = 10;

// The options map of one check kind; an empty value (`- propagation:`) means all defaults.
std::vector<Field> OptionFields(YamlReader& reader, const YAML::Node& options,
                                const std::string& kind, const std::vector<std::string>& allowed);
// A map nested in the options ("tail", "p99", ...), its keys checked against `allowed`.
std::vector<Field> NestedFields(YamlReader& reader, const Field& field,
                                const std::vector<std::string>& allowed);
// A required option; fails naming the check kind and what the option is for.
const Field& Require(YamlReader& reader, const std::vector<Field>& fields, const YAML::Node& map,
                     const std::string& name, const std::string& where);

Selector ReadSelector(YamlReader& reader, const Field& field);
Comparison ReadComparison(YamlReader& reader, const Field& field);
// A comparison of a plain count or share: durations make no sense there.
Comparison ReadCountComparison(YamlReader& reader, const Field& field);
// Bound keys whose spec holds a plain value (`max: 800ms`, `min_spans_per_s: 100`,
// `max_cardinality: 100`): the bare value, or the same written with the key's inclusive
// operator ("<= 800ms"; "< 800ms" too for a duration, which is whole nanoseconds). An operator
// that contradicts the key fails as ParseComparison does, naming the key.
std::chrono::nanoseconds ReadMaxDuration(YamlReader& reader, const Field& field);
double ReadBoundNumber(YamlReader& reader, const Field& field);

// Appends the trace id as hex unless it is already there or the list is full.
void AddEvidence(std::vector<std::string>& evidence, const TraceId& id);
// Appends each of `ids` that is not there yet, while the list has room.
void MergeEvidence(std::vector<std::string>& evidence, const std::vector<std::string>& ids);

// A run's ground-truth spans by span id: a span's expected parent, a message's producer.
class TruthIndex {
 public:
  explicit TruthIndex(const std::vector<GroundTruthSpan>& truth);
  // nullptr when no span of the run has that id.
  const GroundTruthSpan* Find(const SpanId& id) const;

 private:
  const std::vector<GroundTruthSpan>& truth_;
  std::unordered_map<SpanId, std::size_t, IdHash> by_id_;
};

// "412 ms", "1.20 s", "850 us", "37 ns".
std::string FormatNs(double ns);
// "1.85%" (share 0.0185).
std::string FormatShare(double share);
// A comparison's measured value as the comparison reads it: a share of `total` when the
// comparison is a percentage, else the count.
double Measured(const Comparison& c, double count, double total);
// "37 (1.85% of 2000)" or "37".
std::string FormatMeasured(const Comparison& c, double count, double total);

// An attribute value as a person writes it in a selector or scenario: strings as they are,
// true/false, integers and doubles in decimal.
std::string AttributeText(const pb::AnyValue& value);

// Nearest-rank percentile (0..100) of ascending values; 0 when empty.
std::int64_t PercentileOfSorted(const std::vector<std::int64_t>& sorted, double percentile);

// The standard normal quantile (inverse CDF) of p in (0, 1).
double InverseNormalCdf(double p);

struct Interval {
  double low = 0, high = 1;
  bool Contains(double p) const { return p >= low - 1e-12 && p <= high + 1e-12; }
};
// Wilson score interval for k successes in n trials at two-sided `confidence`; [0, 1] for n = 0.
Interval Wilson(std::uint64_t k, std::uint64_t n, double confidence);

}  // namespace traceproof::checks
