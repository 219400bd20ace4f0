#include "checks/selector.h"

#include <cstdint>

#include "checks/check_util.h"
#include "opentelemetry/proto/trace/v1/trace.pb.h"
#include "otlp/span_details.h"

namespace traceproof {

namespace {

// A hand-written scanner: the grammar is tiny and every error must name its column.
class Parser {
 public:
  Parser(std::string_view text, std::string& error) : text_(text), error_(error) {}

  bool Fail(std::size_t at, const std::string& message) {
    error_ = "column " + std::to_string(at + 1) + ": " + message;
    return false;
  }
  void SkipSpace() {
    while (i_ < text_.size() && (text_[i_] == ' ' || text_[i_] == '\t' || text_[i_] == ',')) ++i_;
  }
  bool AtEnd() const { return i_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[i_]; }

  static bool IsKeyChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-' || c == '/' || c == ':' || c == '@';
  }

  bool Parse(std::vector<Selector::Predicate>& out) {
    SkipSpace();
    if (text_.substr(i_, 4) != "span") {
      return Fail(i_, "a selector starts with 'span', e.g. span[service=\"orders\"]");
    }
    i_ += 4;
    SkipSpaceOnly();
    if (AtEnd()) return true;
    if (Peek() != '[') return Fail(i_, "expected '[' or the end after 'span'");
    ++i_;
    for (;;) {
      SkipSpace();
      if (AtEnd()) return Fail(i_, "missing ']' at the end of the selector");
      if (Peek() == ']') {
        ++i_;
        break;
      }
      Selector::Predicate p;
      if (!ParsePredicate(p)) return false;
      out.push_back(std::move(p));
    }
    SkipSpaceOnly();
    if (!AtEnd()) return Fail(i_, "unexpected '" + std::string(1, Peek()) + "' after ']'");
    return true;
  }

 private:
  void SkipSpaceOnly() {
    while (i_ < text_.size() && (text_[i_] == ' ' || text_[i_] == '\t')) ++i_;
  }

  bool ParsePredicate(Selector::Predicate& p) {
    const std::size_t key_at = i_;
    while (!AtEnd() && IsKeyChar(Peek())) ++i_;
    const std::string_view key = text_.substr(key_at, i_ - key_at);
    if (key.empty()) {
      return Fail(key_at, "expected a field (service, name, kind, status or attr.KEY), got '" +
                              std::string(1, Peek()) + "'");
    }
    if (key == "service") {
      p.field = Selector::Predicate::Field::kService;
    } else if (key == "name") {
      p.field = Selector::Predicate::Field::kName;
    } else if (key == "kind") {
      p.field = Selector::Predicate::Field::kKind;
    } else if (key == "status") {
      p.field = Selector::Predicate::Field::kStatus;
    } else if (key.substr(0, 5) == "attr.") {
      p.field = Selector::Predicate::Field::kAttribute;
      p.key = std::string(key.substr(5));
      if (p.key.empty()) return Fail(key_at + 5, "expected an attribute key after 'attr.'");
    } else {
      return Fail(key_at, "unknown field '" + std::string(key) +
                              "'; expected service, name, kind, status or attr.KEY");
    }
    const std::size_t op_at = i_;
    if (text_.substr(i_, 2) == "^=") {
      p.op = Selector::Predicate::Op::kPrefix;
      i_ += 2;
    } else if (text_.substr(i_, 2) == "*=") {
      p.op = Selector::Predicate::Op::kContains;
      i_ += 2;
    } else if (Peek() == '=') {
      p.op = Selector::Predicate::Op::kEquals;
      i_ += 1;
    } else {
      if (p.field == Selector::Predicate::Field::kAttribute) {
        p.op = Selector::Predicate::Op::kPresent;
        return true;
      }
      return Fail(op_at, "expected '=' after '" + std::string(key) + "'");
    }
    const bool enum_field = p.field == Selector::Predicate::Field::kKind ||
                            p.field == Selector::Predicate::Field::kStatus;
    if (enum_field && p.op != Selector::Predicate::Op::kEquals) {
      return Fail(op_at, "'" + std::string(key) + "' only takes '='");
    }
    const std::size_t value_at = i_;
    if (!ParseValue(p.value)) return false;
    if (p.field == Selector::Predicate::Field::kKind) {
      static const char* kKinds[] = {"SERVER", "CLIENT", "INTERNAL", "PRODUCER", "CONSUMER"};
      bool known = false;
      for (const char* k : kKinds) known = known || p.value == k;
      if (!known) {
        return Fail(value_at, "unknown kind '" + p.value +
                                  "'; expected SERVER, CLIENT, INTERNAL, PRODUCER or CONSUMER");
      }
    } else if (p.field == Selector::Predicate::Field::kStatus) {
      if (p.value != "UNSET" && p.value != "OK" && p.value != "ERROR") {
        return Fail(value_at, "unknown status '" + p.value + "'; expected UNSET, OK or ERROR");
      }
    }
    return true;
  }

  bool ParseValue(std::string& value) {
    if (Peek() == '"') {
      const std::size_t open_at = i_;
      ++i_;
      while (!AtEnd() && Peek() != '"') {
        if (Peek() == '\\' && i_ + 1 < text_.size()) ++i_;
        value += text_[i_++];
      }
      if (AtEnd()) return Fail(open_at, "unterminated string (missing '\"')");
      ++i_;
      return true;
    }
    const std::size_t at = i_;
    while (!AtEnd() && IsKeyChar(Peek())) value += text_[i_++];
    if (value.empty()) {
      return Fail(at, AtEnd() ? "expected a value after '='"
                              : "expected a value after '=', got '" + std::string(1, Peek()) +
                                    "' (quote values with spaces)");
    }
    return true;
  }

  std::string_view text_;
  std::string& error_;
  std::size_t i_ = 0;
};

bool Compare(Selector::Predicate::Op op, std::string_view actual, std::string_view want) {
  switch (op) {
    case Selector::Predicate::Op::kEquals:
      return actual == want;
    case Selector::Predicate::Op::kPrefix:
      return actual.substr(0, want.size()) == want;
    case Selector::Predicate::Op::kContains:
      return actual.find(want) != std::string_view::npos;
    case Selector::Predicate::Op::kPresent:
      return true;
  }
  return false;
}

}  // namespace

std::optional<Selector> Selector::Parse(std::string_view text, std::string& error) {
  Selector s;
  s.text_ = std::string(text);
  Parser parser(text, error);
  if (!parser.Parse(s.predicates_)) return std::nullopt;
  return s;
}

bool Selector::Matches(const SpanView& span) const {
  // Decoded at most once per call, and only when an attribute predicate is reached: the cheap
  // predicates come first in most selectors and reject most spans.
  std::optional<pb::Span> decoded;
  std::optional<pb::Resource> resource;
  for (const Predicate& p : predicates_) {
    switch (p.field) {
      case Predicate::Field::kService:
        if (!Compare(p.op, span.service_name, p.value)) return false;
        break;
      case Predicate::Field::kName:
        if (!Compare(p.op, span.name, p.value)) return false;
        break;
      case Predicate::Field::kKind:
        if (SpanKindName(span.kind) != p.value) return false;
        break;
      case Predicate::Field::kStatus:
        if (StatusCodeName(span.status) != p.value) return false;
        break;
      case Predicate::Field::kAttribute: {
        if (!decoded) {
          decoded.emplace();
          if (!decoded->ParseFromArray(span.raw.data(), static_cast<int>(span.raw.size())))
            return false;
        }
        const pb::KeyValue* found = nullptr;
        for (const auto& kv : decoded->attributes())
          if (kv.key() == p.key) found = &kv;
        // Resource attributes (service.version, deployment.environment...) count too, as in
        // Tracetest, with the span's own attribute winning.
        if (!found) {
          if (!resource) {
            resource.emplace();
            if (!resource->ParseFromArray(span.resource_raw.data(),
                                          static_cast<int>(span.resource_raw.size())))
              return false;
          }
          for (const auto& kv : resource->attributes())
            if (kv.key() == p.key) found = &kv;
        }
        if (!found) return false;
        if (p.op != Predicate::Op::kPresent &&
            !Compare(p.op, checks::AttributeText(found->value()), p.value))
          return false;
        break;
      }
    }
  }
  return true;
}

}  // namespace traceproof
