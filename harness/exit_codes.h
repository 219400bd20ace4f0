// The process's documented exit codes (README, --help). One list so every subcommand agrees.
#pragma once

namespace traceproof {

inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;   // a check (or benchmark target) failed
inline constexpr int kExitUsage = 2;         // bad flags or invalid input file
inline constexpr int kExitEnvironment = 3;   // port busy, process did not start, I/O failure

}  // namespace traceproof
