#include "config/duration.h"

#include <charconv>
#include <cmath>

namespace traceproof {

std::optional<std::chrono::nanoseconds> ParseDuration(std::string_view text, std::string& error) {
  static const std::string kHint = "want a number with a unit (ns, us, ms, s, m), e.g. 250ms";
  auto bad = [&]() -> std::optional<std::chrono::nanoseconds> {
    error = "bad duration '" + std::string(text) + "': " + kHint;
    return std::nullopt;
  };
  std::size_t i = 0;
  if (i < text.size() && text[i] == '-') ++i;
  const std::size_t number_begin = i;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
  double number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + i, number);
  if (i == number_begin || ec != std::errc() || end != text.data() + i) return bad();
  const std::string_view unit = text.substr(i);
  double unit_ns = 0;
  if (unit == "ns") {
    unit_ns = 1;
  } else if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") {
    unit_ns = 1e3;
  } else if (unit == "ms") {
    unit_ns = 1e6;
  } else if (unit == "s") {
    unit_ns = 1e9;
  } else if (unit == "m") {
    unit_ns = 60e9;
  } else if (unit.empty() && number == 0) {
    unit_ns = 1;  // a plain 0 needs no unit
  } else {
    return bad();
  }
  const double ns = number * unit_ns;
  // Beyond ~100 years is a typo, and past 2^63 ns it would not fit in nanoseconds.
  if (std::abs(ns) > 3.2e18) {
    error = "duration '" + std::string(text) + "' is too long";
    return std::nullopt;
  }
  return std::chrono::nanoseconds(std::llround(ns));
}

}  // namespace traceproof
