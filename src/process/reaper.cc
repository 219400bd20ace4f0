#include "process/reaper.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace traceproof {
namespace {

// One message over the pipe; 8 bytes, far below PIPE_BUF, so concurrent writes never mix.
struct Record {
  std::int32_t op;
  std::int32_t pgid;
};
constexpr std::int32_t kRegister = 1;
constexpr std::int32_t kUnregister = 2;
constexpr int kMaxGroups = 256;

// The groups to kill; fixed size, no allocation (the reaper must not call malloc).
class GroupTable {
 public:
  void Apply(const Record& r) {
    const int at = Find(r.pgid);
    if (r.op == kRegister && at < 0 && count_ < kMaxGroups && r.pgid > 1)
      groups_[count_++] = r.pgid;
    if (r.op == kUnregister && at >= 0) groups_[at] = groups_[--count_];
  }

  // SIGTERM to every group, SIGKILL to those left after `grace_ns`.
  void KillAll(std::int64_t grace_ns) const {
    Signal(SIGTERM);
    const std::int64_t deadline = NowNs() + grace_ns;
    while (AnyAlive() && NowNs() < deadline) {
      timespec pause{0, 10'000'000};
      nanosleep(&pause, nullptr);
    }
    Signal(SIGKILL);
  }

 private:
  int Find(pid_t pgid) const {
    for (int i = 0; i < count_; ++i)
      if (groups_[i] == pgid) return i;
    return -1;
  }
  void Signal(int sig) const {
    for (int i = 0; i < count_; ++i) kill(-groups_[i], sig);
  }
  // A group of zombies still counts (their parent has not reaped them): then the grace runs out.
  bool AnyAlive() const {
    for (int i = 0; i < count_; ++i)
      if (kill(-groups_[i], 0) == 0 || errno == EPERM) return true;
    return false;
  }
  static std::int64_t NowNs() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
  }

  pid_t groups_[kMaxGroups] = {};
  int count_ = 0;
};

// The reaper's own set-up: out of traceproof's process group (Ctrl-C and a kill of that group
// miss it), deaf to the signals that end a terminal session, holding nothing but its pipe.
void DetachReaper(int read_fd) {
  setpgid(0, 0);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  for (int sig : {SIGINT, SIGHUP, SIGTERM, SIGPIPE, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU})
    sigaction(sig, &ignore, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (read_fd > 0) close_range(0, static_cast<unsigned>(read_fd) - 1, 0);
  close_range(static_cast<unsigned>(read_fd) + 1, ~0U, 0);
}

// Reads records until the pipe closes (every write end is gone: traceproof has exited).
void ReadUntilClosed(int read_fd, GroupTable& table) {
  char buf[sizeof(Record) * 64];
  std::size_t have = 0;
  for (;;) {
    const ssize_t n = read(read_fd, buf + have, sizeof buf - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    have += static_cast<std::size_t>(n);
    std::size_t used = 0;
    for (; have - used >= sizeof(Record); used += sizeof(Record)) {
      Record r;
      std::memcpy(&r, buf + used, sizeof r);
      table.Apply(r);
    }
    std::memmove(buf, buf + used, have - used);
    have -= used;
  }
}

[[noreturn]] void RunReaper(int read_fd, std::int64_t grace_ns) {
  DetachReaper(read_fd);
  GroupTable table;
  ReadUntilClosed(read_fd, table);
  table.KillAll(grace_ns);
  _exit(0);
}

// One record, without a SIGPIPE if the reader is gone (the reaper was killed): the signal is
// blocked in this thread for the write and a pending one taken back, so neither traceproof nor
// a child between fork and exec dies of it. Keeps errno.
void Send(int fd, Record r) noexcept {
  const int saved_errno = errno;
  sigset_t pipe_signal, old;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &old);
  sigset_t pending;
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  ssize_t n;
  do {
    n = write(fd, &r, sizeof r);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EPIPE && !was_pending) {
    const timespec now{0, 0};
    sigtimedwait(&pipe_signal, nullptr, &now);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved_errno;
}

}  // namespace

Reaper::~Reaper() {
  close(write_fd_);
  while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
}

void Reaper::Register(pid_t pgid) const noexcept { Send(write_fd_, {kRegister, pgid}); }

void Reaper::Unregister(pid_t pgid) const noexcept { Send(write_fd_, {kUnregister, pgid}); }

std::unique_ptr<Reaper> StartReaper(const ReaperOptions& options, std::string& error) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    error = std::string("reaper pipe: ") + std::strerror(errno);
    return nullptr;
  }
  const std::int64_t grace_ns = std::chrono::nanoseconds(options.grace).count();
  const pid_t pid = fork();
  if (pid < 0) {
    error = std::string("reaper fork: ") + std::strerror(errno);
    close(fds[0]);
    close(fds[1]);
    return nullptr;
  }
  if (pid == 0) RunReaper(fds[0], grace_ns);
  close(fds[0]);
  return std::make_unique<Reaper>(pid, fds[1]);
}

}  // namespace traceproof
