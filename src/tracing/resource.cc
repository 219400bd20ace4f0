#include "tracing/resource.h"

#include <cstdlib>

#include "otlp/wire_writer.h"

namespace traceproof {
namespace {

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// OTEL_RESOURCE_ATTRIBUTES values are percent-encoded (W3C Baggage octets, per the SDK spec).
std::string PercentDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) << 4 | hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

void Put(std::vector<std::pair<std::string, std::string>>& attrs, std::string key,
         std::string value) {
  for (auto& [k, v] : attrs) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  attrs.emplace_back(std::move(key), std::move(value));
}

}  // namespace

ResourceInfo MakeResource(const std::string& service_name,
                          std::vector<std::pair<std::string, std::string>> extra,
                          const std::string& resource_attributes_env) {
  ResourceInfo info;
  std::string name = service_name;
  if (name.empty()) {
    const char* env = std::getenv("OTEL_SERVICE_NAME");
    name = env && *env ? env : "unknown_service";
  }
  info.attributes.emplace_back("service.name", name);
  // Precedence as in the SDKs: explicit attributes over OTEL_RESOURCE_ATTRIBUTES; service.name
  // from OTEL_SERVICE_NAME/the argument over a service.name inside OTEL_RESOURCE_ATTRIBUTES.
  std::string_view list = resource_attributes_env;
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;  // the spec says: skip malformed members
    std::string key = Trim(item.substr(0, eq));
    if (key.empty() || key == "service.name") continue;
    Put(info.attributes, key, PercentDecode(Trim(item.substr(eq + 1))));
  }
  for (auto& [k, v] : extra) Put(info.attributes, k, v);

  for (const auto& [k, v] : info.attributes) {
    wire::NestedField(info.encoded_resource, 1, [&](std::string& kv) {
      wire::BytesField(kv, 1, k);
      wire::NestedField(kv, 2, [&](std::string& any) { wire::BytesField(any, 1, v); });
    });
  }
  wire::BytesField(info.encoded_scope, 1, "traceproof.mock_services");
  wire::BytesField(info.encoded_scope, 2, TRACEPROOF_VERSION);
  return info;
}

}  // namespace traceproof
