// CSS-like span selectors, as in Tracetest specs, so a scenario says what it checks in one
// readable line:  span[service="payments" name="charge-card" kind=CLIENT status=ERROR
// attr.http.route="/charge" attr.user.id]  — every predicate must hold; `attr.KEY` alone means
// the attribute is present; `name^="POST "` (prefix) and `name*="stripe"` (substring) are also
// allowed; `span` alone selects every span. Parsed once at scenario load (errors name the
// column inside the selector), matched many times. Thread-safe after parsing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "otlp/span_view.h"

namespace traceproof {

class Selector {
 public:
  // nullopt and `error` ("column 17: expected '=' after 'service'") when the text is invalid.
  static std::optional<Selector> Parse(std::string_view text, std::string& error);
  // Attribute predicates decode the span's attributes lazily, only when reached.
  bool Matches(const SpanView& span) const;
  const std::string& text() const { return text_; }

  struct Predicate {
    enum class Field { kService, kName, kKind, kStatus, kAttribute };
    enum class Op { kEquals, kPrefix, kContains, kPresent };
    Field field = Field::kName;
    Op op = Op::kEquals;
    std::string key;  // attribute key
    std::string value;
  };

 private:
  std::string text_;
  std::vector<Predicate> predicates_;
};

}  // namespace traceproof
