#include "scenario/scenario_reader.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <sstream>

#include "config/env_expand.h"

namespace traceproof::loader {

namespace {

std::vector<std::string> RouteKeys(const ServiceDef& service) {
  std::vector<std::string> keys;
  for (const auto& r : service.routes) keys.push_back(r.method + " " + r.path);
  return keys;
}

}  // namespace

bool Contains(const std::vector<std::string>& items, std::string_view item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

std::chrono::nanoseconds ScenarioReader::PositiveDuration(const Field& field) {
  const std::chrono::nanoseconds value = Duration(field);
  if (value <= std::chrono::nanoseconds(0)) {
    Fail(field, "'" + field.name + "' is " + field.value.Scalar() + ": want a duration > 0");
  }
  return value;
}

std::chrono::milliseconds ScenarioReader::ReadyTimeout(const Field& field) {
  return std::max(std::chrono::milliseconds(1),
                  std::chrono::duration_cast<std::chrono::milliseconds>(PositiveDuration(field)));
}

std::string ScenarioReader::Expanded(const Field& field) {
  std::string error;
  const std::optional<std::string> value = ExpandEnv(String(field), error);
  if (!value) Fail(field, error);
  return *value;
}

HostPort ScenarioReader::ParseHostPort(const Field& field, const std::string& example) {
  const std::string raw = String(field);
  const std::string text = Expanded(field);
  return ParseHostPortText(field, text, raw == text ? "" : " (from '" + raw + "')", example);
}

HostPort ScenarioReader::ParseHostPortText(const Field& field, const std::string& text,
                                           const std::string& from, const std::string& example) {
  const std::size_t colon = text.rfind(':');
  unsigned value = 0;
  bool ok = colon != std::string::npos && colon > 0 && colon + 1 < text.size();
  if (ok) {
    const auto [end, ec] =
        std::from_chars(text.data() + colon + 1, text.data() + text.size(), value);
    ok = ec == std::errc() && end == text.data() + text.size() && value >= 1 && value <= 65535;
  }
  if (!ok) {
    Fail(field, "'" + text + "'" + from + ": want HOST:PORT with a port 1-65535, e.g. " + example);
  }
  HostPort hp;
  hp.host = text.substr(0, colon);
  if (hp.host.size() >= 2 && hp.host.front() == '[' && hp.host.back() == ']')
    hp.host = hp.host.substr(1, hp.host.size() - 2);
  if (hp.host.find_first_of(" /") != std::string::npos)
    Fail(field, "'" + text + "'" + from + ": want HOST:PORT (no scheme or path), e.g. " + example);
  hp.port = static_cast<std::uint16_t>(value);
  return hp;
}

const ServiceDef& ScenarioReader::RequireService(const ServiceGraph& graph, const std::string& name,
                                                 const SourcePos& pos,
                                                 const std::string& what) const {
  if (const ServiceDef* s = graph.Find(name)) return *s;
  std::vector<std::string> names;
  for (const auto& s : graph.services) names.push_back(s.name);
  Fail(pos, what + " unknown service '" + name + "'; services are: " + Join(Sorted(names)) +
                DidYouMean(name, names));
}

void ScenarioReader::RequireRoute(const ServiceDef& service, const std::string& method,
                                  const std::string& path, const SourcePos& pos) const {
  for (const auto& r : service.routes)
    if (r.method == method && r.path == path) return;
  const std::vector<std::string> keys = RouteKeys(service);
  const std::string key = method + " " + path;
  std::string hint = DidYouMean(key, keys);
  // The path is right and the method is not (GET for POST, or lowercase): name that route.
  for (const auto& r : service.routes) {
    if (hint.empty() && r.path == path) hint = " (did you mean '" + r.method + " " + path + "'?)";
  }
  Fail(pos, "service '" + service.name + "' has no route '" + key + "'; its routes are: " +
                (keys.empty() ? "(none: it only consumes queues)" : Join(keys)) + hint);
}

}  // namespace traceproof::loader
