#include "tracing/w3c.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace traceproof::w3c {
namespace {

// Limits from W3C Trace Context (tracestate) and W3C Baggage.
constexpr std::size_t kMaxTracestateMembers = 32;
constexpr std::size_t kMaxBaggageMembers = 64;
constexpr std::size_t kMaxBaggageBytes = 8192;

// "00-" + 32 + "-" + 16 + "-" + 2: the version-00 form every version starts with.
constexpr std::size_t kTraceparentSize = 55;

bool IsOws(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool AllLowerHex(std::string_view s) { return std::all_of(s.begin(), s.end(), IsLowerHex); }

bool IsLcAlpha(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The characters tracestate keys may hold after their first one.
bool IsKeyChar(char c) {
  return IsLcAlpha(c) || IsDigit(c) || c == '_' || c == '-' || c == '*' || c == '/';
}

bool AllKeyChars(std::string_view s) { return std::all_of(s.begin(), s.end(), IsKeyChar); }

// simple-key = lcalpha 0*255(keychar); multi-tenant-key = tenant-id "@" system-id with
// tenant-id = (lcalpha / DIGIT) 0*240(keychar) and system-id = lcalpha 0*13(keychar).
bool IsTracestateKey(std::string_view key) {
  const std::size_t at = key.find('@');
  if (at == std::string_view::npos) {
    return !key.empty() && key.size() <= 256 && IsLcAlpha(key[0]) && AllKeyChars(key);
  }
  const std::string_view tenant = key.substr(0, at);
  const std::string_view system = key.substr(at + 1);
  return !tenant.empty() && tenant.size() <= 241 && (IsLcAlpha(tenant[0]) || IsDigit(tenant[0])) &&
         AllKeyChars(tenant) && !system.empty() && system.size() <= 14 && IsLcAlpha(system[0]) &&
         AllKeyChars(system);
}

// value = 0*255(chr) nblk-chr; chr = %x20 / nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E.
bool IsTracestateValue(std::string_view value) {
  if (value.empty() || value.size() > 256 || value.back() == ' ') return false;
  return std::all_of(value.begin(), value.end(),
                     [](char c) { return c >= 0x20 && c <= 0x7E && c != ',' && c != '='; });
}

// RFC 7230 tchar.
bool IsTchar(char c) {
  if (IsLcAlpha(c) || (c >= 'A' && c <= 'Z') || IsDigit(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsToken(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), IsTchar); }

// baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E: printable US-ASCII without
// space, DQUOTE, comma, semicolon and backslash.
bool IsBaggageOctet(unsigned char c) {
  return c >= 0x21 && c <= 0x7E && c != '"' && c != ',' && c != ';' && c != '\\';
}

// Properties are carried raw, but they must still fit in one list-member of a header line.
bool IsRawProperties(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 0x20 && c <= 0x7E && c != ',') || c == '\t'; });
}

// nullopt when `value` holds a non-baggage-octet or a '%' not followed by two hex digits.
std::optional<std::string> PercentDecode(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (!IsBaggageOctet(static_cast<unsigned char>(c))) return std::nullopt;
    if (c != '%') {
      out.push_back(c);
      continue;
    }
    if (i + 2 >= value.size()) return std::nullopt;
    const int hi = SpanId::HexValue(value[i + 1]);
    const int lo = SpanId::HexValue(value[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi << 4 | lo));
    i += 2;
  }
  return out;
}

void PercentEncodeTo(std::string_view value, std::string& out) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  for (char c : value) {
    const auto b = static_cast<unsigned char>(c);
    if (IsBaggageOctet(b) && c != '%') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kDigits[b >> 4]);
      out.push_back(kDigits[b & 0xF]);
    }
  }
}

// Calls `fn(member, end)` for each ','-separated member of `list`, OWS-trimmed, where `end` is
// the offset in `list` just past the member's last non-OWS character. Stops when fn returns
// false.
template <typename Fn>
void ForEachMember(std::string_view list, Fn&& fn) {
  std::size_t begin = 0;
  while (begin <= list.size()) {
    std::size_t comma = list.find(',', begin);
    if (comma == std::string_view::npos) comma = list.size();
    const std::string_view raw = list.substr(begin, comma - begin);
    const std::string_view member = TrimOws(raw);
    const std::size_t end =
        member.empty() ? begin
                       : static_cast<std::size_t>(member.data() - list.data()) + member.size();
    if (!fn(member, end)) return;
    begin = comma + 1;
  }
}

}  // namespace

std::optional<SpanContext> ParseTraceparent(std::string_view header) {
  header = TrimOws(header);
  if (header.size() < kTraceparentSize) return std::nullopt;
  const std::string_view version = header.substr(0, 2);
  if (!AllLowerHex(version) || version == "ff") return std::nullopt;
  if (version == "00") {
    if (header.size() != kTraceparentSize) return std::nullopt;
  } else if (header.size() > kTraceparentSize && header[kTraceparentSize] != '-') {
    // A future version may append fields, but only after another '-'.
    return std::nullopt;
  }
  if (header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;
  const std::string_view trace_hex = header.substr(3, 32);
  const std::string_view span_hex = header.substr(36, 16);
  const std::string_view flags_hex = header.substr(53, 2);
  // Id::FromHex accepts uppercase; the spec does not.
  if (!AllLowerHex(trace_hex) || !AllLowerHex(span_hex) || !AllLowerHex(flags_hex)) {
    return std::nullopt;
  }
  SpanContext context;
  context.trace_id = *TraceId::FromHex(trace_hex);
  context.span_id = *SpanId::FromHex(span_hex);
  if (!context.IsValid()) return std::nullopt;
  context.trace_flags = static_cast<std::uint8_t>(SpanId::HexValue(flags_hex[0]) << 4 |
                                                  SpanId::HexValue(flags_hex[1]));
  context.is_remote = true;
  return context;
}

std::string FormatTraceparent(const SpanContext& context) {
  std::string out;
  out.reserve(kTraceparentSize);
  out.append("00-");
  out.append(context.trace_id.Hex());
  out.push_back('-');
  out.append(context.span_id.Hex());
  // Version 00 defines only the sampled bit; the others are reserved and must not be set.
  out.append(context.sampled() ? "-01" : "-00");
  return out;
}

std::optional<std::string> ParseTracestate(std::string_view header) {
  std::vector<std::string_view> keys;
  std::string out;
  out.reserve(header.size());
  bool valid = true;
  ForEachMember(header, [&](std::string_view member, std::size_t) {
    if (member.empty()) return true;  // empty list-members are allowed
    const std::size_t eq = member.find('=');
    if (eq == std::string_view::npos) return valid = false;
    const std::string_view key = member.substr(0, eq);
    const std::string_view value = member.substr(eq + 1);
    if (!IsTracestateKey(key) || !IsTracestateValue(value)) return valid = false;
    if (keys.size() == kMaxTracestateMembers) return valid = false;
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) return valid = false;
    keys.push_back(key);
    if (!out.empty()) out.push_back(',');
    out.append(member);
    return true;
  });
  if (!valid) return std::nullopt;
  return out;
}

Baggage ParseBaggage(std::string_view header) {
  Baggage baggage;
  ForEachMember(header, [&](std::string_view member, std::size_t end) {
    // Past the byte limit only members that lie wholly within it count.
    if (end > kMaxBaggageBytes) return false;
    if (member.empty()) return true;
    const std::size_t semicolon = member.find(';');
    const std::string_view pair = member.substr(0, semicolon);
    const std::string_view properties =
        semicolon == std::string_view::npos ? std::string_view() : member.substr(semicolon);
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return true;
    const std::string_view key = TrimOws(pair.substr(0, eq));
    if (!IsToken(key) || !IsRawProperties(properties)) return true;
    std::optional<std::string> value = PercentDecode(TrimOws(pair.substr(eq + 1)));
    if (!value) return true;
    baggage.entries.push_back(
        BaggageEntry{std::string(key), std::move(*value), std::string(properties)});
    return baggage.entries.size() < kMaxBaggageMembers;
  });
  return baggage;
}

std::string FormatBaggage(const Baggage& baggage) {
  std::string out;
  std::string member;
  std::size_t members = 0;
  for (const BaggageEntry& entry : baggage.entries) {
    if (members == kMaxBaggageMembers) break;
    if (!IsToken(entry.key) || !IsRawProperties(entry.properties)) continue;
    member.clear();
    member.append(entry.key);
    member.push_back('=');
    PercentEncodeTo(entry.value, member);
    member.append(entry.properties);
    const std::size_t separator = out.empty() ? 0 : 1;
    // A member that does not fit is dropped; a shorter one after it may still fit.
    if (out.size() + separator + member.size() > kMaxBaggageBytes) continue;
    if (separator) out.push_back(',');
    out.append(member);
    ++members;
  }
  return out;
}

Extracted Extract(const HeaderGetter& get) {
  Extracted extracted;
  if (std::optional<std::string_view> traceparent = get("traceparent")) {
    extracted.parent = ParseTraceparent(*traceparent);
  }
  // tracestate only means something next to a valid traceparent.
  if (extracted.parent) {
    if (std::optional<std::string_view> tracestate = get("tracestate")) {
      extracted.parent->trace_state = ParseTracestate(*tracestate).value_or(std::string());
    }
  }
  if (std::optional<std::string_view> baggage = get("baggage")) {
    extracted.baggage = ParseBaggage(*baggage);
  }
  return extracted;
}

void Inject(const SpanContext& context, const Baggage& baggage, const HeaderSetter& set) {
  if (context.IsValid()) {
    set("traceparent", FormatTraceparent(context));
    if (!context.trace_state.empty()) set("tracestate", context.trace_state);
  }
  const std::string formatted = FormatBaggage(baggage);
  if (!formatted.empty()) set("baggage", formatted);
}

}  // namespace traceproof::w3c
