#include "config/yaml_reader.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "config/duration.h"

namespace traceproof {

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::vector<std::string> Sorted(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  return items;
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// " (did you mean 'x'?)" for the closest candidate within edit distance 2, else "".
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = 3;
  for (const auto& candidate : Sorted(candidates)) {
    const std::size_t d = EditDistance(word, candidate);
    if (d < best_distance) best_distance = d, best = candidate;
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

// What a node is, for "want X, got Y" messages.
std::string Describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a map";
  std::string text = node.Scalar();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return "'" + text + "'";
}

YAML::Node LoadYamlFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw LoadError({path, 0, 0}, "cannot read: it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LoadError({path, 0, 0}, std::string("cannot read: ") + std::strerror(errno));
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw LoadError({path, 0, 0}, std::string("cannot read: ") + std::strerror(errno));
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw LoadError({path, e.mark.line + 1, e.mark.column + 1}, "bad YAML: " + e.msg);
  }
}

SourcePos YamlReader::Pos(const YAML::Node& node) const {
  SourcePos pos{file_, 0, 0};
  if (!node.IsDefined()) return pos;
  // A node with no mark of its own (an empty document's root) is at the start of the file:
  // an error there still names a place (found by fuzz_services_yaml).
  const YAML::Mark mark = node.Mark();
  pos.line = mark.line >= 0 ? mark.line + 1 : 1;
  pos.column = mark.column >= 0 ? mark.column + 1 : 1;
  return pos;
}
SourcePos YamlReader::Pos(const Field& field) const {
  return field.value.IsNull() ? Pos(field.key) : Pos(field.value);
}

void YamlReader::Fail(const SourcePos& pos, const std::string& message) const {
  throw LoadError(pos, message);
}
void YamlReader::Fail(const YAML::Node& node, const std::string& message) const {
  Fail(Pos(node), message);
}
void YamlReader::Fail(const Field& field, const std::string& message) const {
  Fail(Pos(field), message);
}

std::vector<Field> YamlReader::Fields(const YAML::Node& map, const SourcePos& pos,
                                      const std::string& what, const std::string& where,
                                      const std::vector<std::string>& allowed) {
  if (!map.IsMap()) {
    Fail(pos,
         "want a map for " + what + " (keys: " + Join(Sorted(allowed)) + "), got " + Describe(map));
  }
  std::vector<Field> fields;
  for (const auto& entry : map) {
    Field field{entry.first, "", entry.second};
    if (!field.key.IsScalar()) Fail(field.key, "want a string key, got " + Describe(field.key));
    field.name = field.key.Scalar();
    if (std::find(allowed.begin(), allowed.end(), field.name) == allowed.end()) {
      Fail(field.key, "unknown key '" + field.name + "' " + where + "; expected one of: " +
                          Join(Sorted(allowed)) + DidYouMean(field.name, allowed));
    }
    for (const Field& earlier : fields) {
      if (earlier.name == field.name) {
        Fail(field.key, "duplicate key '" + field.name + "' " + where + " (first at line " +
                            std::to_string(Pos(earlier.key).line) + ")");
      }
    }
    fields.push_back(std::move(field));
  }
  return fields;
}
std::vector<Field> YamlReader::Fields(const YAML::Node& map, const std::string& what,
                                      const std::string& where,
                                      const std::vector<std::string>& allowed) {
  return Fields(map, Pos(map), what, where, allowed);
}

std::vector<Field> YamlReader::Entries(const YAML::Node& map, const SourcePos& pos,
                                       const std::string& what) {
  if (!map.IsMap()) Fail(pos, "want a map of " + what + ", got " + Describe(map));
  std::vector<Field> entries;
  for (const auto& entry : map) {
    Field field{entry.first, "", entry.second};
    if (!field.key.IsScalar() || field.key.Scalar().empty()) {
      Fail(field.key, "want a name as the key, got " + Describe(field.key));
    }
    field.name = field.key.Scalar();
    for (const Field& earlier : entries) {
      if (earlier.name == field.name) {
        Fail(field.key, "duplicate '" + field.name + "' (first at line " +
                            std::to_string(Pos(earlier.key).line) + ")");
      }
    }
    entries.push_back(std::move(field));
  }
  return entries;
}

const Field* YamlReader::Find(const std::vector<Field>& fields, std::string_view name) {
  for (const Field& field : fields)
    if (field.name == name) return &field;
  return nullptr;
}

std::string YamlReader::String(const Field& field) {
  if (!field.value.IsScalar()) {
    Fail(field, "want a string for '" + field.name + "', got " + Describe(field.value));
  }
  return field.value.Scalar();
}

bool YamlReader::Bool(const Field& field) {
  bool value = false;
  if (!field.value.IsScalar() || !YAML::convert<bool>::decode(field.value, value)) {
    Fail(field, "want true or false for '" + field.name + "', got " + Describe(field.value));
  }
  return value;
}

long long YamlReader::Int(const Field& field, long long min, long long max) {
  long long value = 0;
  if (!field.value.IsScalar() || !YAML::convert<long long>::decode(field.value, value)) {
    Fail(field, "want an integer for '" + field.name + "', got " + Describe(field.value));
  }
  if (value < min || value > max) {
    Fail(field, "'" + field.name + "' is " + std::to_string(value) + ", want " +
                    std::to_string(min) + ".." + std::to_string(max));
  }
  return value;
}

double YamlReader::Number(const Field& field) {
  double value = 0;
  if (!field.value.IsScalar() || !YAML::convert<double>::decode(field.value, value) ||
      !std::isfinite(value)) {
    Fail(field, "want a number for '" + field.name + "', got " + Describe(field.value));
  }
  return value;
}

double YamlReader::Rate(const Field& field) {
  const std::string hint = ": want a share in (0, 1] or a percentage in (0%, 100%], e.g. 5%";
  if (!field.value.IsScalar()) Fail(field, "want a rate, got " + Describe(field.value) + hint);
  const std::string text = field.value.Scalar();
  const bool percent = !text.empty() && text.back() == '%';
  const std::string_view digits(text.data(), text.size() - (percent ? 1 : 0));
  double value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
      !std::isfinite(value)) {
    Fail(field, "bad rate '" + text + "'" + hint);
  }
  if (percent) value /= 100;
  if (!(value > 0 && value <= 1)) Fail(field, "bad rate '" + text + "'" + hint);
  return value;
}

std::chrono::nanoseconds YamlReader::Duration(const YAML::Node& node, const SourcePos& pos) {
  if (!node.IsScalar()) {
    Fail(pos, "want a duration (a number with a unit, e.g. 250ms), got " + Describe(node));
  }
  std::string error;
  const auto d = ParseDuration(node.Scalar(), error);
  if (!d) Fail(pos, error);
  return *d;
}
std::chrono::nanoseconds YamlReader::Duration(const Field& field) {
  return Duration(field.value, Pos(field));
}

std::chrono::nanoseconds YamlReader::NonNegativeDuration(const Field& field,
                                                         const std::string& what) {
  const std::chrono::nanoseconds value = Duration(field);
  if (value < std::chrono::nanoseconds(0)) {
    Fail(field, "negative " + what + " '" + field.value.Scalar() + "': want a duration >= 0");
  }
  return value;
}

}  // namespace traceproof
