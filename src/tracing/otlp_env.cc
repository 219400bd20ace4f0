#include "tracing/otlp_env.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace traceproof {
namespace {

constexpr std::string_view kPrefix = "OTEL_EXPORTER_OTLP_";

// The TRACES_ variable when set and not empty, else the generic one; `name` says which.
std::optional<std::string> Lookup(const GetEnvFn& getenv, std::string_view option,
                                  std::string& name) {
  for (const std::string_view infix : {"TRACES_", ""}) {
    std::string candidate = fmt::format("{}{}{}", kPrefix, infix, option);
    const char* value = getenv(candidate.c_str());
    if (value != nullptr && *value != '\0') {
      name = std::move(candidate);
      return std::string(value);
    }
  }
  name = fmt::format("{}{}", kPrefix, option);
  return std::nullopt;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

struct ParsedUrl {
  std::optional<bool> https;  // nullopt: no scheme
  std::string host;
  std::uint16_t port = 0;
  std::string path;  // as written, "" when none
};

bool ParsePort(std::string_view text, std::uint16_t& port) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535)
    return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

std::optional<ParsedUrl> ParseUrl(std::string_view what, std::string_view text,
                                  std::string& error) {
  ParsedUrl url;
  std::string_view rest = Trim(text);
  if (const auto sep = rest.find("://"); sep != std::string_view::npos) {
    const std::string scheme = Lower(rest.substr(0, sep));
    if (scheme != "http" && scheme != "https") {
      error = fmt::format("{} '{}': the scheme must be http or https", what, text);
      return std::nullopt;
    }
    url.https = scheme == "https";
    rest.remove_prefix(sep + 3);
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) url.path = std::string(rest.substr(slash));
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      error = fmt::format("{} '{}': an IPv6 address needs its closing ']'", what, text);
      return std::nullopt;
    }
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() == ':') port_text = after.substr(1);
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    url.host = std::string(authority.substr(0, colon));
    port_text = authority.substr(colon + 1);
  } else {
    url.host = std::string(authority);
  }
  if (url.host.empty()) {
    error = fmt::format("{} '{}': no host", what, text);
    return std::nullopt;
  }
  if (port_text.empty() && url.https) {
    url.port = *url.https ? 443 : 80;
  } else if (!ParsePort(port_text, url.port)) {
    error = fmt::format("{} '{}': the port must be a number from 1 to 65535", what, text);
    return std::nullopt;
  }
  return url;
}

OtlpEndpoint ToEndpoint(const ParsedUrl& url, bool grpc, bool tls) {
  OtlpEndpoint e;
  e.grpc = grpc;
  e.tls = tls;
  e.host = url.host;
  e.port = url.port;
  return e;
}

// OTEL_EXPORTER_OTLP_ENDPOINT's path is a base: "/v1/traces" goes after it.
std::string SignalPath(std::string_view base) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  return std::string(base) + "/v1/traces";
}

std::optional<bool> ParseBool(std::string_view text) {
  const std::string v = Lower(Trim(text));
  if (v == "true") return true;
  if (v == "false") return false;
  return std::nullopt;
}

std::optional<OtlpEndpoint> EndpointFromEnv(const GetEnvFn& getenv, bool grpc, std::string& error) {
  std::string name;
  std::optional<bool> insecure;
  if (auto text = Lookup(getenv, "INSECURE", name)) {
    insecure = ParseBool(*text);
    if (!insecure) {
      error = fmt::format("{} '{}': use true or false", name, *text);
      return std::nullopt;
    }
  }
  auto text = Lookup(getenv, "ENDPOINT", name);
  if (!text) {
    OtlpEndpoint e;
    e.grpc = grpc;
    e.port = grpc ? 4317 : 4318;
    return e;
  }
  auto url = ParseUrl(name, *text, error);
  if (!url) return std::nullopt;
  // Without a scheme, gRPC is TLS unless _INSECURE says otherwise (the specification's
  // default); an OTLP/HTTP endpoint must be a URL, so a bare host:port is read as http.
  const bool tls = url->https ? *url->https : grpc && !insecure.value_or(false);
  OtlpEndpoint e = ToEndpoint(*url, grpc, tls);
  const bool per_signal = name.find("_TRACES_") != std::string::npos;
  if (!grpc) e.path = per_signal ? (url->path.empty() ? "/" : url->path) : SignalPath(url->path);
  return e;
}

bool ReadOptionalSettings(const GetEnvFn& getenv, OtlpExportSettings& s, std::string& error) {
  std::string name;
  if (auto v = Lookup(getenv, "CERTIFICATE", name)) s.ca_file = *v, s.ca_from = name;
  if (auto v = Lookup(getenv, "CLIENT_CERTIFICATE", name))
    s.client_cert_file = *v, s.client_cert_from = name;
  if (auto v = Lookup(getenv, "CLIENT_KEY", name)) s.client_key_file = *v, s.client_key_from = name;
  if (auto v = Lookup(getenv, "HEADERS", name)) {
    auto headers = ParseOtlpHeaders(name, *v, error);
    if (!headers) return false;
    s.headers = std::move(*headers);
  }
  if (auto v = Lookup(getenv, "TIMEOUT", name)) {
    std::uint64_t ms = 0;
    const std::string_view t = Trim(*v);
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), ms);
    // A day at most: a deadline that far out is a typo, and larger ones overflow the clocks.
    if (ec != std::errc() || end != t.data() + t.size() || ms == 0 || ms > 86'400'000) {
      error = fmt::format("{} '{}': not a number of milliseconds from 1 to 86400000", name, *v);
      return false;
    }
    s.timeout = std::chrono::milliseconds(ms);
  }
  if (auto v = Lookup(getenv, "COMPRESSION", name)) {
    const std::string c = Lower(Trim(*v));
    if (c != "gzip" && c != "none") {
      error = fmt::format("{} '{}': use gzip or none", name, *v);
      return false;
    }
    s.gzip = c == "gzip";
  }
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool PercentDecode(std::string_view in, std::string& out) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = HexDigit(in[i + 1]);
    const int lo = HexDigit(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

bool TokenChar(unsigned char c) {
  return std::isalnum(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

std::string OtlpEndpoint::HostPort() const {
  return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port)
                                             : fmt::format("{}:{}", host, port);
}

std::string OtlpEndpoint::Url() const {
  return fmt::format("{}://{}{}", tls ? "https" : "http", HostPort(), grpc ? "" : path);
}

std::optional<bool> ParseOtlpProtocol(std::string_view protocol) {
  if (protocol == "grpc") return true;
  if (protocol == "http/protobuf" || protocol == "http") return false;
  return std::nullopt;
}

std::optional<std::vector<std::pair<std::string, std::string>>> ParseOtlpHeaders(
    std::string_view what, std::string_view text, std::string& error) {
  std::vector<std::pair<std::string, std::string>> headers;
  std::size_t index = 0;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view entry = Trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    ++index;
    if (entry.empty()) continue;
    const auto eq = entry.find('=');
    const std::string_view name = Trim(entry.substr(0, eq));
    std::string value;
    const bool name_ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return TokenChar(static_cast<unsigned char>(c));
    });
    if (eq == std::string_view::npos || !name_ok ||
        !PercentDecode(Trim(entry.substr(eq + 1)), value)) {
      error = fmt::format(
          "{}: entry {} is not name=value (a header name, '=', a percent-encoded value)", what,
          index);
      return std::nullopt;
    }
    headers.emplace_back(Lower(name), std::move(value));
  }
  return headers;
}

std::optional<OtlpExportSettings> OtlpSettingsFromEnv(const GetEnvFn& getenv,
                                                      std::optional<bool> protocol,
                                                      std::string& error) {
  std::string name;
  bool grpc = protocol.value_or(true);
  if (auto text = Lookup(getenv, "PROTOCOL", name); text && !protocol) {
    auto parsed = ParseOtlpProtocol(Trim(*text));
    if (!parsed) {
      error = fmt::format("{} '{}': use grpc or http/protobuf", name, *text);
      return std::nullopt;
    }
    grpc = *parsed;
  }
  OtlpExportSettings s;
  auto endpoint = EndpointFromEnv(getenv, grpc, error);
  if (!endpoint) return std::nullopt;
  s.endpoint = std::move(*endpoint);
  if (!ReadOptionalSettings(getenv, s, error)) return std::nullopt;
  return s;
}

std::optional<OtlpEndpoint> ParseOtlpEndpointFlag(std::string_view what, std::string_view text,
                                                  bool grpc, std::string& error) {
  auto url = ParseUrl(what, text, error);
  if (!url) return std::nullopt;
  OtlpEndpoint e = ToEndpoint(*url, grpc, url->https.value_or(false));
  if (!grpc && !url->path.empty()) e.path = url->path;
  return e;
}

}  // namespace traceproof
