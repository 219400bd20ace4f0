#include "config/env_expand.h"

#include <cstdlib>

namespace traceproof {
namespace {

bool ValidName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> ExpandEnv(std::string_view text, const GetEnvFn& getenv,
                                     std::string& error) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t dollar = text.find("${", i);
    if (dollar == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, dollar - i));
    const std::size_t close = text.find('}', dollar + 2);
    if (close == std::string_view::npos) {
      error = "unterminated '${' in '" + std::string(text) + "': want ${NAME} or ${NAME:-default}";
      return std::nullopt;
    }
    const std::string_view inner = text.substr(dollar + 2, close - dollar - 2);
    const std::size_t sep = inner.find(":-");
    const std::string_view name = inner.substr(0, sep);
    if (!ValidName(name)) {
      error = "bad variable '${" + std::string(inner) +
              "}': want ${NAME} or ${NAME:-default}, NAME of letters, digits and '_'";
      return std::nullopt;
    }
    const char* value = getenv ? getenv(std::string(name).c_str()) : nullptr;
    if (value && *value) {
      out.append(value);
    } else if (sep != std::string_view::npos) {
      out.append(inner.substr(sep + 2));
    } else {
      error = "${" + std::string(name) + "} is not set and has no default: write ${" +
              std::string(name) + ":-VALUE}";
      return std::nullopt;
    }
    i = close + 1;
  }
  return out;
}

std::optional<std::string> ExpandEnv(std::string_view text, std::string& error) {
  return ExpandEnv(
      text, [](const char* name) { return std::getenv(name); }, error);
}

}  // namespace traceproof
