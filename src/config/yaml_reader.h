// Strict reading of YAML configuration (scenario files, service graphs, check options): every
// value keeps its file:line:col, unknown keys are errors with a did-you-mean hint, and typed
// accessors say what they wanted and what they got. Used at the edges only (config load), so
// failures throw LoadError; a typo must never silently mean "default".
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "config/source_pos.h"

namespace traceproof {

std::string Join(const std::vector<std::string>& items, std::string_view separator = ", ");
std::vector<std::string> Sorted(std::vector<std::string> items);
std::size_t EditDistance(std::string_view a, std::string_view b);
// " (did you mean 'x'?)" for the closest candidate within edit distance 2, else "".
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);
// What a node is, for "want X, got Y" messages.
std::string Describe(const YAML::Node& node);

// Reads and parses a YAML file. An unreadable file is a LoadError at `path`:0:0, a syntax error
// one at yaml-cpp's mark (made 1-based), both naming `path`.
YAML::Node LoadYamlFile(const std::string& path);

// A map entry: the key node, its text, and the value node.
struct Field {
  YAML::Node key;
  std::string name;
  YAML::Node value;
};

class YamlReader {
 public:
  explicit YamlReader(const std::string& file) : file_(file) {}
  const std::string& file() const { return file_; }

  SourcePos Pos(const YAML::Node& node) const;
  // An empty value (`key:`) is marked at the next token, so errors about it point at its key.
  SourcePos Pos(const Field& field) const;

  [[noreturn]] void Fail(const SourcePos& pos, const std::string& message) const;
  [[noreturn]] void Fail(const YAML::Node& node, const std::string& message) const;
  [[noreturn]] void Fail(const Field& field, const std::string& message) const;

  // The entries of a map whose keys must all be in `allowed`; `where` names the map in messages
  // ("in step 'db'"), `what` in the type error ("a map for step 'db'").
  std::vector<Field> Fields(const YAML::Node& map, const SourcePos& pos, const std::string& what,
                            const std::string& where, const std::vector<std::string>& allowed);
  std::vector<Field> Fields(const YAML::Node& map, const std::string& what,
                            const std::string& where, const std::vector<std::string>& allowed);
  // The entries of a map with free-form keys (service names, routes, queues).
  std::vector<Field> Entries(const YAML::Node& map, const SourcePos& pos, const std::string& what);
  static const Field* Find(const std::vector<Field>& fields, std::string_view name);

  std::string String(const Field& field);
  bool Bool(const Field& field);
  long long Int(const Field& field, long long min, long long max);
  double Number(const Field& field);
  double Rate(const Field& field);  // "5%" or a share in (0, 1]
  // "<number><unit>", units ns, us, µs, ms, s, m; a plain 0; a leading '-' is accepted.
  std::chrono::nanoseconds Duration(const YAML::Node& node, const SourcePos& pos);
  std::chrono::nanoseconds Duration(const Field& field);
  std::chrono::nanoseconds NonNegativeDuration(const Field& field, const std::string& what);

 protected:
  std::string file_;
};

}  // namespace traceproof
