// Nothing traceproof starts outlives it, however it ends, SIGKILL included. A parent-death
// signal (PR_SET_PDEATHSIG) reaches only a direct child, and what RabbitMQ runs (beam.smp,
// erl_child_setup) are grandchildren; so the entry point starts, before any other child, a
// small reaper process holding the read end of a pipe whose only write end stays in traceproof
// (O_CLOEXEC: no child inherits it). Every child SpawnChild starts leads its own process group
// and registers it here; when the pipe closes (traceproof exited, crashed or was killed), the
// reaper sends SIGTERM to every group still registered, SIGKILL after a short grace, and exits.
// The reaper is forked, not exec'd, possibly from a process that has threads already, so it
// lives on async-signal-safe calls only: fixed-size records over the pipe, a fixed-size table,
// no allocation. It closes every other inherited descriptor, leads its own process group and
// ignores SIGINT, SIGHUP, SIGTERM and SIGPIPE (Ctrl-C reaches the whole foreground group; the
// reaper must be there to clean up after it).
// Thread-safe: Register and Unregister write one record each (a pipe write of that size is
// atomic) and are async-signal-safe, so a child registers itself between fork and exec.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

namespace traceproof {

struct ReaperOptions {
  // From SIGTERM to SIGKILL, once traceproof is gone. Short: whatever is left is being killed
  // because its owner died, and nothing waits for its graceful exit.
  std::chrono::milliseconds grace{1000};
};

class Reaper final {
 public:
  // The reaper at the other end of `write_fd` (StartReaper makes them).
  Reaper(pid_t pid, int write_fd) : pid_(pid), write_fd_(write_fd) {}
  // Closes the pipe and waits for the reaper to exit: groups still registered are killed.
  ~Reaper();
  Reaper(const Reaper&) = delete;
  Reaper& operator=(const Reaper&) = delete;

  // Kill process group `pgid` if traceproof dies. Async-signal-safe; a group registered twice
  // is one entry; past the table's size (256 groups) registrations are dropped.
  void Register(pid_t pgid) const noexcept;
  // The group is gone (or no longer ours to kill). Async-signal-safe.
  void Unregister(pid_t pgid) const noexcept;
  pid_t pid() const noexcept { return pid_; }

 private:
  pid_t pid_;
  int write_fd_;
};

// nullptr with `error` set when the pipe or the fork fails.
std::unique_ptr<Reaper> StartReaper(const ReaperOptions& options, std::string& error);

}  // namespace traceproof
