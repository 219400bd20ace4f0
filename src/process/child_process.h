// A helper process traceproof starts and stops itself (a server under load, wrk, an SDK peer, the
// OpenTelemetry Collector of a scenario, RabbitMQ and its epmd): spawned from an argv without a
// shell, its stdout and stderr gathered by a reader thread (or appended to a file) so the owner
// can wait for a readiness line, read its CPU time while it runs, and collect its exit status and
// CPU time at the end. Every child leads its own process group (pgid == pid), reads /dev/null,
// and, given the run's reaper (process/reaper.h), is registered with it before it execs, so it
// dies with traceproof however traceproof ends. Not thread-safe: one owning thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace traceproof {

class Reaper;

struct ChildExit {
  int status = -1;   // exit code; 128 + signal when killed; -1 when it could not be waited for
  double cpu_s = 0;  // user + system CPU seconds of the child over its life
};

class ChildProcess {
 public:
  virtual ~ChildProcess() = default;  // terminates and reaps the child if still running
  virtual pid_t pid() const = 0;      // also its process group id
  // The first output line containing `needle`, waiting at most `timeout`; nullopt if the child
  // exited or the time ran out first.
  virtual std::optional<std::string> WaitForLine(std::string_view needle,
                                                 std::chrono::milliseconds timeout) = 0;
  // User + system CPU seconds so far (from /proc), for a child that is still running.
  virtual double CpuSeconds() const = 0;
  // SIGTERM (if `terminate`) then waits for the exit; idempotent.
  virtual ChildExit Finish(bool terminate) = 0;
  // SIGTERM to the child (it stops what it started its own way), then SIGKILL to its whole
  // process group if it has not exited after `grace`; reaps it. Idempotent.
  virtual ChildExit Stop(std::chrono::milliseconds grace) = 0;
  // SIGKILL to its process group at once (a crash, as a fault injects it); reaps it. Idempotent.
  virtual ChildExit Kill() = 0;
  // False once the child has exited (reaped or a zombie).
  virtual bool Running() const = 0;
  // Everything the child printed so far (stdout and stderr interleaved); empty when its output
  // goes to a file.
  virtual std::string Output() const = 0;
};

struct ChildOptions {
  int cpu = -1;  // >= 0 pins the child to that CPU (sched_setaffinity before exec)
  // Added to (or replacing in) the parent's environment.
  std::vector<std::pair<std::string, std::string>> env;
  // Variables of the parent's whose names start with one of these are not passed on (those in
  // `env` still are): an app under test must not inherit OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
  // from a CI job and send its spans somewhere other than the run's sink.
  std::vector<std::string> drop_inherited_prefixes;
  // SIGKILL the child when the spawning thread dies, however it dies (PDEATHSIG): a second line
  // of defence besides the reaper, for a direct child only. Spawn from a long-lived thread.
  bool die_with_parent = false;
  // Registers the child's process group, killed if traceproof dies; nullptr: none.
  Reaper* reaper = nullptr;
  std::filesystem::path cwd;  // empty: ours
  // Empty: the output is captured (Output, WaitForLine). Else appended to this file, and
  // WaitForLine finds nothing.
  std::filesystem::path output_file;
};

// nullptr with `error` set when the program cannot be started.
std::unique_ptr<ChildProcess> SpawnChild(const std::vector<std::string>& argv, std::string& error,
                                         const ChildOptions& options);
// `cpu` >= 0 pins the child to that CPU (sched_setaffinity before exec).
std::unique_ptr<ChildProcess> SpawnChild(const std::vector<std::string>& argv, std::string& error,
                                         int cpu = -1);

}  // namespace traceproof
