// The last lines of a process's log file, for an error that says why the process failed (a
// broker that did not start, a user's app that exited before it was ready). Stateless; any
// thread.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace traceproof {

// The last `lines` lines of `file`, each prefixed by `indent` and ended by a newline; empty when
// the file is missing or empty.
std::string LogFileTail(const std::filesystem::path& file, int lines, std::string_view indent = "");

}  // namespace traceproof
