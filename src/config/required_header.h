// A header every export request to the sink must carry (`--require-header 'NAME=VALUE'`,
// `sink: { require_headers: { NAME: VALUE } }`), parsed once at the edge. The value is a
// secret: `${NAME}` in it is expanded from the environment so the token itself never appears
// on a command line or in a scenario file, and nothing here ever puts the value into an error
// message (only the header's name and the variable's). Plain functions, no state: thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/env_expand.h"

namespace traceproof {

struct RequiredHeader {
  std::string name;   // lower case: HTTP field names are case-insensitive, gRPC's are lower
  std::string value;  // expanded; compared exactly (receiver/header_auth.h)
};
using RequiredHeaders = std::vector<RequiredHeader>;

// NAME and a VALUE template; nullopt with `error` ("authorization: ${TOKEN} is not set ...",
// "header name 'a b' ...") for a bad name, an unset variable or an empty value.
std::optional<RequiredHeader> MakeRequiredHeader(std::string_view name,
                                                 std::string_view value_template,
                                                 const GetEnvFn& getenv, std::string& error);

// "NAME=VALUE" (the flag's form), split at the first '='.
std::optional<RequiredHeader> ParseRequiredHeader(std::string_view spec, const GetEnvFn& getenv,
                                                  std::string& error);

// Each "NAME=VALUE" of a repeatable flag, expanded from the process environment; nullopt with
// `error` for the first one that is wrong.
std::optional<RequiredHeaders> ParseRequiredHeaders(const std::vector<std::string>& specs,
                                                    std::string& error);

// "authorization, x-api-key": the names only, for logs and answers that must not show values.
std::string RequiredHeaderNames(const RequiredHeaders& headers);

}  // namespace traceproof
