// `${NAME}` and `${NAME:-default}` in configuration values, expanded from the environment, so
// one scenario file serves several deployments: Docker Compose hostnames in containers,
// loopback addresses in tests, without editing the file. Only values that name places
// (endpoints, URLs) are expanded; the loader says which. `$` not followed by `{` is literal.
// Plain functions, no state: thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace traceproof {

using GetEnvFn = std::function<const char*(const char*)>;

// The expanded text, or nullopt with `error` saying what is wrong ("${GATEWAY} is not set and
// has no default: write ${GATEWAY:-127.0.0.1:8080}", "unterminated '${'"). A variable that is
// set but empty takes the default, as in the shell's `:-`.
std::optional<std::string> ExpandEnv(std::string_view text, const GetEnvFn& getenv,
                                     std::string& error);
// The same over the process environment.
std::optional<std::string> ExpandEnv(std::string_view text, std::string& error);

}  // namespace traceproof
