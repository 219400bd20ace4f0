#include "checks/comparison.h"

#include <charconv>
#include <cmath>

#include "config/yaml_reader.h"

namespace traceproof {

namespace {

constexpr const char* kHint =
    "want an operator (==, !=, <, <=, >, >=) and a number, a percentage or a duration, e.g. "
    "\"== 0\", \">= 1\", \"< 5%\", \"<= 800ms\"";

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

bool StartsWithKey(std::string_view key, std::string_view word) {
  return key == word || (key.size() > word.size() && key.substr(0, word.size()) == word &&
                         key[word.size()] == '_');
}

// Why `op` cannot stand under a key promising `bound`, or "" when it can.
std::string Contradiction(BoundKind bound, Comparison::Op op, const std::string& what,
                          const std::string& value_text) {
  using Op = Comparison::Op;
  if (bound == BoundKind::kUpper && op != Op::kLe && op != Op::kLt) {
    return "'" + what +
           "' is an upper bound, so its operator must be < or <=; write \"<= " + value_text +
           "\" (a bare " + value_text + " under '" + what + "' means <= " + value_text + ")";
  }
  if (bound == BoundKind::kLower && op != Op::kGe && op != Op::kGt) {
    return "'" + what +
           "' is a lower bound, so its operator must be > or >=; write \">= " + value_text +
           "\" (a bare " + value_text + " under '" + what + "' means >= " + value_text + ")";
  }
  return "";
}

}  // namespace

BoundKind BoundOfKey(std::string_view key) {
  if (StartsWithKey(key, "max")) return BoundKind::kUpper;
  if (StartsWithKey(key, "min")) return BoundKind::kLower;
  return BoundKind::kNone;
}

bool Comparison::Holds(double measured) const {
  // Shares and means are computed in floating point; "== 5%" must hold for 1 of 20.
  const double tolerance = 1e-9 * std::max(1.0, std::fabs(value));
  switch (op) {
    case Op::kEq:
      return std::fabs(measured - value) <= tolerance;
    case Op::kNe:
      return std::fabs(measured - value) > tolerance;
    case Op::kLt:
      return measured < value - tolerance;
    case Op::kLe:
      return measured <= value + tolerance;
    case Op::kGt:
      return measured > value + tolerance;
    case Op::kGe:
      return measured >= value - tolerance;
  }
  return false;
}

std::string_view Comparison::OpText() const {
  switch (op) {
    case Op::kEq:
      return "==";
    case Op::kNe:
      return "!=";
    case Op::kLt:
      return "<";
    case Op::kLe:
      return "<=";
    case Op::kGt:
      return ">";
    case Op::kGe:
      return ">=";
  }
  return "?";
}

Comparison ParseComparison(const YAML::Node& node, const std::string& file,
                           const std::string& what) {
  YamlReader reader(file);
  const SourcePos pos = reader.Pos(node);
  if (!node.IsScalar()) {
    reader.Fail(pos, "'" + what + "': want a comparison, got " + Describe(node) + "; " + kHint);
  }
  const std::string text = node.Scalar();
  Comparison c;
  c.text = text;
  auto fail = [&](const std::string& why) {
    reader.Fail(pos, "'" + what + "': bad comparison '" + text + "'" + (why.empty() ? "" : ": ") +
                         why + (why.empty() ? ": " : "; ") + kHint);
  };

  std::size_t i = 0;
  while (i < text.size() && IsSpace(text[i])) ++i;
  static constexpr std::pair<std::string_view, Comparison::Op> kOps[] = {
      {"==", Comparison::Op::kEq}, {"!=", Comparison::Op::kNe}, {"<=", Comparison::Op::kLe},
      {">=", Comparison::Op::kGe}, {"<", Comparison::Op::kLt},  {">", Comparison::Op::kGt},
      {"=", Comparison::Op::kEq}};
  bool have_op = false;
  for (const auto& [token, op] : kOps) {
    if (std::string_view(text).substr(i, token.size()) == token) {
      c.op = op;
      i += token.size();
      have_op = true;
      break;
    }
  }
  while (i < text.size() && IsSpace(text[i])) ++i;
  std::size_t end = text.size();
  while (end > i && IsSpace(text[end - 1])) --end;
  const std::string value_text = text.substr(i, end - i);
  if (value_text.empty()) fail("no value after the operator");
  const BoundKind bound = BoundOfKey(what);
  if (!have_op) {
    // The key says what a bare value means; the text shows it, so a reason reads "<= 2".
    c.op = bound == BoundKind::kUpper   ? Comparison::Op::kLe
           : bound == BoundKind::kLower ? Comparison::Op::kGe
                                        : Comparison::Op::kEq;
    if (bound != BoundKind::kNone) c.text = std::string(c.OpText()) + " " + value_text;
  } else if (const std::string why = Contradiction(bound, c.op, what, value_text); !why.empty()) {
    reader.Fail(pos, "'" + what + "': '" + text + "' contradicts its key: " + why);
  }

  if (value_text.back() == '%') {
    const std::string_view digits(value_text.data(), value_text.size() - 1);
    double v = 0;
    const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() ||
        !std::isfinite(v)) {
      fail("'" + value_text + "' is not a percentage");
    }
    if (v < 0 || v > 100) fail("a percentage must be within 0%..100%");
    c.value = v / 100;
    c.percent = true;
    return c;
  }
  double v = 0;
  const auto [p, ec] = std::from_chars(value_text.data(), value_text.data() + value_text.size(), v);
  if (ec == std::errc() && p == value_text.data() + value_text.size() && std::isfinite(v)) {
    c.value = v;
    return c;
  }
  // Anything else must be a duration; reuse the reader's units so every file spells them alike.
  const char last = value_text.back();
  if (!(last >= 'a' && last <= 'z')) fail("");
  try {
    c.value = static_cast<double>(reader.Duration(YAML::Node(value_text), pos).count());
  } catch (const LoadError&) {
    fail("'" + value_text + "' is neither a number, a percentage nor a duration");
  }
  c.duration = true;
  return c;
}

}  // namespace traceproof
