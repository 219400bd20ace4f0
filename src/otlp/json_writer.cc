#include "otlp/json_writer.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace traceproof {
namespace {

// Printable ASCII but the two characters JSON escapes: written as they are by nlohmann too.
bool Plain(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x80 || c == '"' || c == '\\') return false;
  }
  return true;
}

}  // namespace

void JsonWriter::Separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (first_.empty()) return;
  if (first_.back()) {
    first_.back() = false;
  } else {
    out_ += ',';
  }
}

void JsonWriter::Open(char bracket) {
  Separate();
  out_ += bracket;
  first_.push_back(true);
}

void JsonWriter::Close(char bracket) {
  out_ += bracket;
  if (!first_.empty()) first_.pop_back();
}

void JsonWriter::Key(std::string_view key) {
  String(key);
  out_ += ':';
  after_key_ = true;
}

void JsonWriter::String(std::string_view value) {
  Separate();
  if (Plain(value)) {
    out_ += '"';
    out_ += value;
    out_ += '"';
    return;
  }
  // Escapes, and invalid UTF-8 replaced by U+FFFD, exactly as the readers' library writes them.
  out_ += nlohmann::json(std::string(value))
              .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void JsonWriter::Uint(std::uint64_t value) {
  Separate();
  const fmt::format_int text(value);
  out_.append(text.data(), text.size());
}

void JsonWriter::Int(std::int64_t value) {
  Separate();
  const fmt::format_int text(value);
  out_.append(text.data(), text.size());
}

void JsonWriter::Double(double value) {
  Separate();
  // nlohmann's shortest round-trip form ("1.0", "1e+100", null for NaN and infinities).
  out_ += nlohmann::json(value).dump();
}

}  // namespace traceproof
