#include "config/placeholders.h"

namespace traceproof {
namespace {

constexpr std::string_view kOpen = "{{";
constexpr std::string_view kClose = "}}";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// One "{{ name.field }}" starting at `at`; its end in `end`.
std::optional<Placeholder> ParseOne(std::string_view text, std::size_t at, std::size_t& end,
                                    std::string& error) {
  const std::size_t close = text.find(kClose, at + kOpen.size());
  if (close == std::string_view::npos) {
    error = "unterminated '{{' in '" + std::string(text) + "': want {{SERVICE.url}}";
    return std::nullopt;
  }
  end = close + kClose.size();
  Placeholder p;
  p.text = std::string(text.substr(at, end - at));
  const std::string_view inner = Trim(text.substr(at + kOpen.size(), close - at - kOpen.size()));
  const std::size_t dot = inner.rfind('.');
  if (dot == std::string_view::npos || dot == 0) {
    error = "'" + p.text + "': want {{SERVICE.url}}, {{SERVICE.host}}, {{SERVICE.port}} or " +
            "{{self.port}}";
    return std::nullopt;
  }
  p.service = std::string(inner.substr(0, dot));
  p.field = std::string(inner.substr(dot + 1));
  if (p.field != "url" && p.field != "host" && p.field != "port") {
    error = "'" + p.text + "': unknown field '" + p.field + "', want url, host or port";
    return std::nullopt;
  }
  return p;
}

}  // namespace

std::optional<std::vector<Placeholder>> FindPlaceholders(std::string_view text,
                                                         std::string& error) {
  std::vector<Placeholder> found;
  for (std::size_t at = text.find(kOpen); at != std::string_view::npos;) {
    std::size_t end = 0;
    auto p = ParseOne(text, at, end, error);
    if (!p) return std::nullopt;
    found.push_back(std::move(*p));
    at = text.find(kOpen, end);
  }
  return found;
}

std::optional<std::string> ExpandPlaceholders(std::string_view text,
                                              const PlaceholderValueFn& value, std::string& error) {
  std::string out;
  std::size_t from = 0;
  for (std::size_t at = text.find(kOpen); at != std::string_view::npos;) {
    std::size_t end = 0;
    auto p = ParseOne(text, at, end, error);
    if (!p) return std::nullopt;
    const std::optional<std::string> v = value(*p);
    if (!v) {
      error = "'" + p->text + "' names '" + p->service + "', which is not a service of the run";
      return std::nullopt;
    }
    out.append(text.substr(from, at - from));
    out += *v;
    from = end;
    at = text.find(kOpen, end);
  }
  out.append(text.substr(from));
  return out;
}

}  // namespace traceproof
