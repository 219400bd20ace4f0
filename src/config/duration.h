// Durations as people write them in scenario files and flags: "<number><unit>" with units ns,
// us (or µs), ms, s, m; a plain 0; a leading '-' (the caller decides whether a sign is allowed).
// One parser for every place a duration is read, so "1.5s" means the same everywhere. Errors are
// values (the text and what was wanted); YamlReader turns them into file:line:col LoadErrors.
// A plain function, no state: thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace traceproof {

// nullopt with `error` set ("bad duration '5': want a number with a unit (ns, us, ms, s, m),
// e.g. 250ms", "duration '...' is too long").
std::optional<std::chrono::nanoseconds> ParseDuration(std::string_view text, std::string& error);

}  // namespace traceproof
