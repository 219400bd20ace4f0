// `{{payments.url}}`, `{{payments.host}}`, `{{payments.port}}` and `{{self.port}}` in the argv
// and environment of a user's app (graph/service_graph.h, AppSpec): the addresses of the
// services it calls, known only once the run has started them. Double braces so they cannot be
// confused with the scenario's `${NAME}` environment expansion (config/env_expand.h), which
// they leave alone, as `${NAME}` leaves them. The loader checks the syntax and the names
// (FindPlaceholders); the run fills in the values (ExpandPlaceholders).
// Plain functions, no state: thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace traceproof {

struct Placeholder {
  std::string service;  // a service name, or "self"
  std::string field;    // "url", "host" or "port"
  std::string text;     // as written, braces included, for messages
};

// Every placeholder in `text`, or nullopt with `error` saying what is malformed ("unterminated
// '{{' in ...", "'{{payments.address}}': want url, host or port").
std::optional<std::vector<Placeholder>> FindPlaceholders(std::string_view text, std::string& error);

// The value of one placeholder; nullopt when its service is unknown.
using PlaceholderValueFn = std::function<std::optional<std::string>(const Placeholder&)>;

// `text` with every placeholder replaced, or nullopt with `error` naming the first one that is
// malformed or has no value.
std::optional<std::string> ExpandPlaceholders(std::string_view text,
                                              const PlaceholderValueFn& value, std::string& error);

}  // namespace traceproof
