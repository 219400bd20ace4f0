#include "process/child_process.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "process/proc_stat.h"
#include "process/reaper.h"

namespace traceproof {
namespace {

class ChildProcessImpl final : public ChildProcess {
 public:
  // `out_fd` < 0: the output goes to a file, and there is nothing to read.
  ChildProcessImpl(pid_t pid, int out_fd, Reaper* reaper)
      : pid_(pid), out_fd_(out_fd), reaper_(reaper) {
    if (out_fd_ >= 0) {
      reader_ = std::thread([this] { Read(); });
    } else {
      eof_ = true;
    }
  }
  ~ChildProcessImpl() override { Finish(true); }

  pid_t pid() const override { return pid_; }

  std::optional<std::string> WaitForLine(std::string_view needle,
                                         std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mutex_);
    std::optional<std::string> found;
    cv_.wait_for(lock, timeout, [&] {
      std::size_t at = output_.find(needle);
      if (at != std::string::npos) {
        std::size_t begin = output_.rfind('\n', at);
        begin = begin == std::string::npos ? 0 : begin + 1;
        std::size_t end = output_.find('\n', at);
        if (end == std::string::npos) return eof_;  // wait for the rest of the line
        found = output_.substr(begin, end - begin);
        return true;
      }
      return eof_;
    });
    return found;
  }

  double CpuSeconds() const override { return ProcessCpuSeconds(pid_); }

  ChildExit Finish(bool terminate) override {
    if (finished_) return exit_;
    if (terminate) kill(pid_, SIGTERM);
    return Reap(0);
  }

  ChildExit Stop(std::chrono::milliseconds grace) override {
    if (finished_) return exit_;
    kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!Running()) return Reap(0);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(-pid_, SIGKILL);
    return Reap(0);
  }

  ChildExit Kill() override {
    if (finished_) return exit_;
    kill(-pid_, SIGKILL);
    return Reap(0);
  }

  bool Running() const override {
    if (finished_) return false;
    // WNOWAIT leaves the zombie for Reap, which collects its rusage.
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
      return false;
    return info.si_pid == 0;
  }

  std::string Output() const override {
    std::lock_guard lock(mutex_);
    return output_;
  }

 private:
  ChildExit Reap(int flags) {
    finished_ = true;
    int status = 0;
    rusage usage{};
    pid_t r;
    do {
      r = wait4(pid_, &status, flags, &usage);
    } while (r < 0 && errno == EINTR);
    if (r == pid_) {
      exit_.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      auto sec = [](const timeval& tv) {
        return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
      };
      exit_.cpu_s = sec(usage.ru_utime) + sec(usage.ru_stime);
    }
    if (reader_.joinable()) reader_.join();
    if (out_fd_ >= 0) close(out_fd_);
    // Members of its group that outlived it stay registered: the reaper kills them if traceproof
    // dies before they exit.
    if (reaper_ && kill(-pid_, 0) != 0 && errno == ESRCH) reaper_->Unregister(pid_);
    return exit_;
  }

  void Read() {
    char buf[4096];
    for (;;) {
      ssize_t n = read(out_fd_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      std::lock_guard lock(mutex_);
      if (n <= 0) {
        eof_ = true;
        cv_.notify_all();
        return;
      }
      output_.append(buf, static_cast<std::size_t>(n));
      cv_.notify_all();
    }
  }

  pid_t pid_;
  int out_fd_;
  Reaper* reaper_;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::string output_;
  bool eof_ = false;
  bool finished_ = false;
  ChildExit exit_;
};

// argv and the environment (ours, with `env` added or replacing) as exec wants them, built
// before fork: nothing may allocate between fork and exec.
class ExecArgs {
 public:
  ExecArgs(const std::vector<std::string>& argv,
           const std::vector<std::pair<std::string, std::string>>& env,
           const std::vector<std::string>& drop_prefixes)
      : argv_(argv) {
    for (char** e = environ; *e; ++e) {
      const std::string_view entry(*e);
      const std::string_view name = entry.substr(0, entry.find('='));
      bool replaced = false;
      for (const auto& [k, v] : env) replaced = replaced || k == name;
      for (const std::string& prefix : drop_prefixes)
        replaced = replaced || name.starts_with(prefix);
      if (!replaced) env_.emplace_back(entry);
    }
    for (const auto& [k, v] : env) env_.push_back(k + "=" + v);
    for (std::string& a : argv_) argv_ptrs_.push_back(a.data());
    argv_ptrs_.push_back(nullptr);
    for (std::string& e : env_) env_ptrs_.push_back(e.data());
    env_ptrs_.push_back(nullptr);
  }
  char* const* argv() { return argv_ptrs_.data(); }
  char* const* envp() { return env_ptrs_.data(); }

 private:
  std::vector<std::string> argv_, env_;
  std::vector<char*> argv_ptrs_, env_ptrs_;
};

enum class ExecStage : int { kChdir, kExec };
// What the child reports through the exec pipe when it cannot run the program.
struct ExecError {
  ExecStage stage;
  int error;
};

// The descriptors of one spawn, all O_CLOEXEC (dup2 clears it on the child's 0, 1 and 2); the
// destructor closes what was not handed on.
struct ChildFds {
  int out_read = -1, child_out = -1;  // output pipe (out_read -1 when it goes to a file)
  int null_in = -1;                   // /dev/null for the child's stdin
  int exec_in = -1, exec_out = -1;    // closes on a successful exec; else carries an ExecError

  ~ChildFds() {
    for (int fd : {out_read, child_out, null_in, exec_in, exec_out})
      if (fd >= 0) close(fd);
  }
  bool Open(const std::filesystem::path& output_file, std::string& error) {
    int out[2], exec[2];
    if (output_file.empty()) {
      if (pipe2(out, O_CLOEXEC) != 0) return Failed("pipe", error);
      out_read = out[0];
      child_out = out[1];
    } else {
      child_out = open(output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (child_out < 0) return Failed("open " + output_file.string(), error);
    }
    null_in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_in < 0) return Failed("open /dev/null", error);
    if (pipe2(exec, O_CLOEXEC) != 0) return Failed("pipe", error);
    exec_in = exec[0];
    exec_out = exec[1];
    return true;
  }
  void CloseChildEnds() {
    for (int* fd : {&child_out, &null_in, &exec_out}) {
      close(*fd);
      *fd = -1;
    }
  }
  int ReleaseOutput() { return std::exchange(out_read, -1); }

 private:
  static bool Failed(const std::string& what, std::string& error) {
    error = what + ": " + std::strerror(errno);
    return false;
  }
};

// What the child does between fork and exec, prepared by the parent.
struct ChildSetup {
  char* const* argv;
  char* const* envp;
  int out_fd, in_fd, exec_error_fd;
  const char* cwd;  // nullptr: the parent's
  int cpu;
  bool die_with_parent;
  pid_t parent;
  Reaper* reaper;
};

[[noreturn]] void FailExec(int fd, ExecStage stage) {
  const ExecError e{stage, errno};
  (void)!write(fd, &e, sizeof e);
  _exit(stage == ExecStage::kChdir ? 126 : 127);
}

// The child: only async-signal-safe calls until exec.
[[noreturn]] void ExecChild(const ChildSetup& s) {
  // Its own group, so Ctrl-C in a terminal goes to traceproof alone (which stops its children in
  // order) and the reaper can kill the child with everything it starts.
  setpgid(0, 0);
  if (s.reaper) s.reaper->Register(getpid());
  if (s.die_with_parent) prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != s.parent) _exit(127);  // the parent died already: start nothing
  dup2(s.out_fd, STDOUT_FILENO);
  dup2(s.out_fd, STDERR_FILENO);
  dup2(s.in_fd, STDIN_FILENO);  // a background group reading the terminal would be stopped
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);  // the parent may block SIGTERM for its own use
  if (s.cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(s.cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
  }
  if (s.cwd && chdir(s.cwd) != 0) FailExec(s.exec_error_fd, ExecStage::kChdir);
  execvpe(s.argv[0], s.argv, s.envp);
  FailExec(s.exec_error_fd, ExecStage::kExec);
}

// After fork: nullopt once the exec succeeded (the pipe closed empty), else what failed.
std::optional<ExecError> ExecFailure(int exec_in) {
  ExecError e{};
  ssize_t n;
  do {
    n = read(exec_in, &e, sizeof e);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof e)) return e;
  return std::nullopt;
}

}  // namespace

std::unique_ptr<ChildProcess> SpawnChild(const std::vector<std::string>& argv, std::string& error,
                                         int cpu) {
  ChildOptions options;
  options.cpu = cpu;
  return SpawnChild(argv, error, options);
}

std::unique_ptr<ChildProcess> SpawnChild(const std::vector<std::string>& argv, std::string& error,
                                         const ChildOptions& options) {
  if (argv.empty()) {
    error = "empty command";
    return nullptr;
  }
  ChildFds fds;
  if (!fds.Open(options.output_file, error)) return nullptr;
  ExecArgs args(argv, options.env, options.drop_inherited_prefixes);
  const std::string cwd = options.cwd.string();
  const ChildSetup setup{args.argv(),   args.envp(),
                         fds.child_out, fds.null_in,
                         fds.exec_out,  cwd.empty() ? nullptr : cwd.c_str(),
                         options.cpu,   options.die_with_parent,
                         getpid(),      options.reaper};
  const pid_t pid = fork();
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    return nullptr;
  }
  if (pid == 0) ExecChild(setup);
  setpgid(pid, pid);  // as the child does: the group exists before either signals it
  fds.CloseChildEnds();
  if (const auto failed = ExecFailure(fds.exec_in)) {
    error = "cannot run " + argv[0] + ": " +
            (failed->stage == ExecStage::kChdir ? "chdir " + cwd + ": " : std::string()) +
            std::strerror(failed->error);
    waitpid(pid, nullptr, 0);
    if (options.reaper) options.reaper->Unregister(pid);
    return nullptr;
  }
  return std::make_unique<ChildProcessImpl>(pid, fds.ReleaseOutput(), options.reaper);
}

}  // namespace traceproof
