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

void AddEvidence(std::vector<std::string>& evidence, const TraceId& id) {
  if (evidence.size() >= kMaxEvidence) return;
  std::string hex = id.Hex();
  if (std::find(evidence.begin(), evidence.end(), hex) == evidence.end())
    evidence.push_back(std::move(hex));
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

std::int64_t PercentileOfSorted(const std::vector<std::int64_t>& sorted, double percentile) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(percentile / 100.0 * static_cast<double>(sorted.size()));
  const std::size_t index =
      rank < 1 ? 0 : std::min(sorted.size() - 1, static_cast<std::size_t>(rank) - 1);
  return sorted[index];
}

}  // namespace traceproof::checks
