// A helper process traceproof starts and stops itself (a server under load, wrk, an SDK peer, the
// OpenTelemetry Collector of a scenario): spawned from an argv without a shell, its stdout and
// stderr gathered by a reader thread so the owner can wait for a readiness line, read its CPU time
// while it runs, and collect its exit status and CPU time at the end. Not thread-safe: one owning
// thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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
  // SIGTERM, then SIGKILL if it has not exited after `grace`; reaps it. Idempotent.
  virtual ChildExit Stop(std::chrono::milliseconds grace) = 0;
  // SIGKILL at once (a crash, as a fault injects it); reaps it. Idempotent.
  virtual ChildExit Kill() = 0;
  // False once the child has exited (reaped or a zombie).
  virtual bool Running() const = 0;
  // Everything the child printed so far (stdout and stderr interleaved).
  virtual std::string Output() const = 0;
};

struct ChildOptions {
  int cpu = -1;  // >= 0 pins the child to that CPU (sched_setaffinity before exec)
  // Added to (or replacing in) the parent's environment.
  std::vector<std::pair<std::string, std::string>> env;
  // SIGKILL the child when the spawning thread's process dies, however it dies (PDEATHSIG), so
  // a crashed or killed traceproof leaves no Collector behind. Spawn from a long-lived thread.
  bool die_with_parent = false;
};

// nullptr with `error` set when the program cannot be started.
std::unique_ptr<ChildProcess> SpawnChild(const std::vector<std::string>& argv, std::string& error,
                                         const ChildOptions& options);
// `cpu` >= 0 pins the child to that CPU (sched_setaffinity before exec).
std::unique_ptr<ChildProcess> SpawnChild(const std::vector<std::string>& argv, std::string& error,
                                         int cpu = -1);

}  // namespace traceproof
