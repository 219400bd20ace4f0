// A helper process a benchmark starts and stops itself (a server under load, wrk, an SDK peer):
// spawned from an argv without a shell, its stdout and stderr gathered by a reader thread so the
// owner can wait for a readiness line, read its CPU time while it runs, and collect its exit
// status and CPU time at the end. Not thread-safe: one owning thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace traceproof {

struct ChildExit {
  int status = -1;   // exit code; 128 + signal when killed; -1 when it could not be waited for
  double cpu_s = 0;  // user + system CPU seconds of the child over its life
};

class ChildProcess {
 public:
  virtual ~ChildProcess() = default;  // terminates and reaps the child if still running
  virtual pid_t pid() const = 0;
  // The first output line containing `needle`, waiting at most `timeout`; nullopt if the child
  // exited or the time ran out first.
  virtual std::optional<std::string> WaitForLine(std::string_view needle,
                                                 std::chrono::milliseconds timeout) = 0;
  // User + system CPU seconds so far (from /proc), for a child that is still running.
  virtual double CpuSeconds() const = 0;
  // SIGTERM (if `terminate`) then waits for the exit; idempotent.
  virtual ChildExit Finish(bool terminate) = 0;
  // Everything the child printed so far (stdout and stderr interleaved).
  virtual std::string Output() const = 0;
};

// nullptr with `error` set when the program cannot be started. `cpu` >= 0 pins the child to
// that CPU (sched_setaffinity before exec).
std::unique_ptr<ChildProcess> SpawnChild(const std::vector<std::string>& argv, std::string& error,
                                         int cpu = -1);

}  // namespace traceproof
