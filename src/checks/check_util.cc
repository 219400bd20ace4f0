#include "checks/check_util.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace traceproof::checks {

std::vector<Field> OptionFields(YamlReader& reader, const YAML::Node& options,
                                const std::string& kind, const std::vector<std::string>& allowed) {
  if (!options.IsDefined() || options.IsNull()) return {};
  return reader.Fields(options, "the options of the " + kind + " check",
                       "in the " + kind + " check", allowed);
}

std::vector<Field> NestedFields(YamlReader& reader, const Field& field,
                                const std::vector<std::string>& allowed) {
  return reader.Fields(field.value, reader.Pos(field), "'" + field.name + "'",
                       "in '" + field.name + "'", allowed);
}

const Field& Require(YamlReader& reader, const std::vector<Field>& fields, const YAML::Node& map,
                     const std::string& name, const std::string& where) {
  if (const Field* f = YamlReader::Find(fields, name)) return *f;
  reader.Fail(map, "missing '" + name + "' " + where);
}

Selector ReadSelector(YamlReader& reader, const Field& field) {
  const std::string text = reader.String(field);
  std::string error;
  std::optional<Selector> selector = Selector::Parse(text, error);
  if (!selector) {
    reader.Fail(field, "'" + field.name + "': bad selector '" + text + "': " + error +
                           " (e.g. span[service=\"orders\" kind=SERVER])");
  }
  return *std::move(selector);
}

Comparison ReadComparison(YamlReader& reader, const Field& field) {
  return ParseComparison(field.value, reader.file(), field.name);
}

Comparison ReadCountComparison(YamlReader& reader, const Field& field) {
  Comparison c = ReadComparison(reader, field);
  if (c.duration) {
    reader.Fail(field, "'" + field.name + "' compares a count or a percentage, not a duration ('" +
                           c.text + "')");
  }
  return c;
}

namespace {

bool HasOperator(const YAML::Node& value) {
  if (!value.IsScalar()) return false;
  const std::string& text = value.Scalar();
  const std::size_t i = text.find_first_not_of(" \t");
  return i != std::string::npos && std::string_view("<>=!").find(text[i]) != std::string::npos;
}

}  // namespace

std::chrono::nanoseconds ReadMaxDuration(YamlReader& reader, const Field& field) {
  if (!HasOperator(field.value)) return reader.NonNegativeDuration(field, "'" + field.name + "'");
  const Comparison c = ReadComparison(reader, field);  // "> 1s" under max fails here
  if (!c.duration && c.value != 0) {
    reader.Fail(field,
                "'" + field.name + "' bounds a duration: want e.g. 800ms, got '" + c.text + "'");
  }
  if (c.value < 0) reader.Fail(field, "'" + field.name + "': want a duration >= 0");
  const std::chrono::nanoseconds ns(std::llround(c.value));
  return c.op == Comparison::Op::kLt ? ns - std::chrono::nanoseconds(1) : ns;
}

double ReadBoundNumber(YamlReader& reader, const Field& field) {
  if (!HasOperator(field.value)) return reader.Number(field);
  const Comparison c = ReadComparison(reader, field);
  if (c.duration || c.percent) {
    reader.Fail(field, "'" + field.name + "' bounds a number: want e.g. 100, got '" + c.text + "'");
  }
  if (c.op != Comparison::Op::kLe && c.op != Comparison::Op::kGe) {
    reader.Fail(field, "'" + field.name + "' is an inclusive bound: write '" + field.name + ": " +
                           (c.op == Comparison::Op::kLt ? "<= " : ">= ") +
                           "N' (or the bare number)");
  }
  return c.value;
}

void AddEvidence(std::vector<std::string>& evidence, const TraceId& id) {
  if (evidence.size() >= kMaxEvidence) return;
  std::string hex = id.Hex();
  if (std::find(evidence.begin(), evidence.end(), hex) == evidence.end())
    evidence.push_back(std::move(hex));
}

void MergeEvidence(std::vector<std::string>& evidence, const std::vector<std::string>& ids) {
  for (const auto& id : ids)
    if (evidence.size() < kMaxEvidence &&
        std::find(evidence.begin(), evidence.end(), id) == evidence.end())
      evidence.push_back(id);
}

TruthIndex::TruthIndex(const std::vector<GroundTruthSpan>& truth) : truth_(truth) {
  by_id_.reserve(truth.size());
  for (std::size_t i = 0; i < truth.size(); ++i) by_id_.emplace(truth[i].span_id, i);
}

const GroundTruthSpan* TruthIndex::Find(const SpanId& id) const {
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &truth_[it->second];
}

std::string FormatNs(double ns) {
  char buf[64];
  const double a = std::fabs(ns);
  if (a >= 1e9) {
    std::snprintf(buf, sizeof buf, "%.2f s", ns / 1e9);
  } else if (a >= 1e6) {
    std::snprintf(buf, sizeof buf, a >= 1e8 ? "%.0f ms" : "%.1f ms", ns / 1e6);
  } else if (a >= 1e3) {
    std::snprintf(buf, sizeof buf, "%.0f us", ns / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f ns", ns);
  }
  return buf;
}

std::string FormatShare(double share) {
  char buf[64];
  const double pct = share * 100;
  if (pct == 0 || pct == 100 || std::fabs(pct) >= 10) {
    std::snprintf(buf, sizeof buf, "%.1f%%", pct);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f%%", pct);
  }
  return buf;
}

double Measured(const Comparison& c, double count, double total) {
  if (!c.percent) return count;
  return total > 0 ? count / total : 0;
}

std::string FormatMeasured(const Comparison& c, double count, double total) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", count);
  std::string out = buf;
  if (c.percent) {
    std::snprintf(buf, sizeof buf, "%.0f", total);
    out += " (" + FormatShare(Measured(c, count, total)) + " of " + buf + ")";
  }
  return out;
}

// Attribute values compare as text: strings as they are, the rest as a person writes them.
std::string AttributeText(const pb::AnyValue& v) {
  switch (v.value_case()) {
    case pb::AnyValue::kStringValue:
      return v.string_value();
    case pb::AnyValue::kBoolValue:
      return v.bool_value() ? "true" : "false";
    case pb::AnyValue::kIntValue:
      return std::to_string(v.int_value());
    case pb::AnyValue::kDoubleValue: {
      std::string s = std::to_string(v.double_value());
      while (s.size() > 1 && s.back() == '0') s.pop_back();
      if (!s.empty() && s.back() == '.') s.pop_back();
      return s;
    }
    default:
      return v.DebugString();
  }
}

std::int64_t PercentileOfSorted(const std::vector<std::int64_t>& sorted, double percentile) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(percentile / 100.0 * static_cast<double>(sorted.size()));
  const std::size_t index =
      rank < 1 ? 0 : std::min(sorted.size() - 1, static_cast<std::size_t>(rank) - 1);
  return sorted[index];
}

// Acklam's rational approximation of the standard normal quantile (relative error < 1.2e-9).
double InverseNormalCdf(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  if (p <= 0) return -INFINITY;
  if (p >= 1) return INFINITY;
  if (p < kLow) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - kLow) return -InverseNormalCdf(1 - p);
  const double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

// Wilson score interval for k successes in n trials at two-sided `confidence`.
Interval Wilson(std::uint64_t k, std::uint64_t n, double confidence) {
  if (n == 0) return {};
  const double z = InverseNormalCdf(1 - (1 - confidence) / 2);
  const double nn = static_cast<double>(n), p = static_cast<double>(k) / nn, z2 = z * z;
  const double center = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = z / (1 + z2 / nn) * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

}  // namespace traceproof::checks
