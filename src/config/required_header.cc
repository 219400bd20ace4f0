#include "config/required_header.h"

#include <cstdlib>

namespace traceproof {
namespace {

// RFC 9110 token characters: what an HTTP field name may hold (gRPC's metadata keys are a
// subset once lower-cased, apart from the reserved "grpc-" prefix).
bool TokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::optional<RequiredHeader> MakeRequiredHeader(std::string_view name,
                                                 std::string_view value_template,
                                                 const GetEnvFn& getenv, std::string& error) {
  RequiredHeader header;
  for (char c : name) {
    if (!TokenChar(c)) {
      error = "header name '" + std::string(name) +
              "' is not a valid HTTP field name (letters, digits and !#$%&'*+-.^_`|~)";
      return std::nullopt;
    }
    header.name.push_back(Lower(c));
  }
  if (header.name.empty()) {
    error = "a required header needs a name, e.g. 'authorization=Bearer ${TOKEN}'";
    return std::nullopt;
  }
  if (header.name.rfind("grpc-", 0) == 0 || header.name.front() == ':') {
    error = "header '" + header.name + "' is reserved by gRPC and cannot be required";
    return std::nullopt;
  }
  std::string why;
  std::optional<std::string> value = ExpandEnv(value_template, getenv, why);
  if (!value) {
    // ExpandEnv suggests a default for an unset variable; a secret must not have one.
    const std::size_t unset = why.find(" is not set");
    error = header.name + ": " +
            (unset == std::string::npos
                 ? why
                 : why.substr(0, unset) + " is not set: export it before starting traceproof");
    return std::nullopt;
  }
  if (value->empty()) {
    error = header.name + ": the required value is empty; a sink would accept any request " +
            "that sends the header empty";
    return std::nullopt;
  }
  for (char c : *value) {
    if (c == '\r' || c == '\n' || c == '\0') {
      error = header.name + ": the value (after expansion) holds a line break or NUL, which no " +
              "client can send";
      return std::nullopt;
    }
  }
  header.value = std::move(*value);
  return header;
}

std::optional<RequiredHeader> ParseRequiredHeader(std::string_view spec, const GetEnvFn& getenv,
                                                  std::string& error) {
  const std::size_t eq = spec.find('=');
  if (eq == std::string_view::npos) {
    // The text may be the secret itself: say what is wrong without echoing it.
    error = "want NAME=VALUE, e.g. 'authorization=Bearer ${TOKEN}' (no '=' found)";
    return std::nullopt;
  }
  return MakeRequiredHeader(spec.substr(0, eq), spec.substr(eq + 1), getenv, error);
}

std::optional<RequiredHeaders> ParseRequiredHeaders(const std::vector<std::string>& specs,
                                                    std::string& error) {
  RequiredHeaders headers;
  for (const std::string& spec : specs) {
    std::optional<RequiredHeader> header = ParseRequiredHeader(
        spec, [](const char* name) { return std::getenv(name); }, error);
    if (!header) return std::nullopt;
    headers.push_back(std::move(*header));
  }
  return headers;
}

std::string RequiredHeaderNames(const RequiredHeaders& headers) {
  std::string out;
  for (const RequiredHeader& h : headers) {
    if (!out.empty()) out += ", ";
    out += h.name;
  }
  return out;
}

}  // namespace traceproof
