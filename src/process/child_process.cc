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
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace traceproof {
namespace {

class ChildProcessImpl final : public ChildProcess {
 public:
  ChildProcessImpl(pid_t pid, int out_fd) : pid_(pid), out_fd_(out_fd) {
    reader_ = std::thread([this] { Read(); });
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

  double CpuSeconds() const override {
    std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // Fields after the command name (which may hold spaces) start after the last ')'.
    std::size_t paren = text.rfind(')');
    if (paren == std::string::npos) return 0;
    std::istringstream fields(text.substr(paren + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

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
    kill(pid_, SIGKILL);
    return Reap(0);
  }

  ChildExit Kill() override {
    if (finished_) return exit_;
    kill(pid_, SIGKILL);
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
    close(out_fd_);
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
  std::thread reader_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::string output_;
  bool eof_ = false;
  bool finished_ = false;
  ChildExit exit_;
};

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
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    error = std::string("pipe: ") + std::strerror(errno);
    return nullptr;
  }
  // A second pipe reports a failed exec (its write end closes on a successful one).
  int exec_fds[2];
  if (pipe2(exec_fds, O_CLOEXEC) != 0) {
    error = std::string("pipe: ") + std::strerror(errno);
    close(fds[0]);
    close(fds[1]);
    return nullptr;
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The child's environment is built before fork: nothing may allocate between fork and exec.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    const std::string_view entry(*e);
    const std::string_view name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& [k, v] : options.env) replaced = replaced || k == name;
    if (!replaced) env_strings.emplace_back(entry);
  }
  for (const auto& [k, v] : options.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int cpu = options.cpu;
  const bool die_with_parent = options.die_with_parent;
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    for (int fd : {fds[0], fds[1], exec_fds[0], exec_fds[1]}) close(fd);
    return nullptr;
  }
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);  // the parent may block SIGTERM for its own use
    if (die_with_parent) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
    }
    if (cpu >= 0) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(cpu, &set);
      sched_setaffinity(0, sizeof set, &set);
    }
    execvpe(args[0], args.data(), envp.data());
    int e = errno;
    (void)!write(exec_fds[1], &e, sizeof e);
    _exit(127);
  }
  close(fds[1]);
  close(exec_fds[1]);
  int exec_errno = 0;
  ssize_t n;
  do {
    n = read(exec_fds[0], &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  close(exec_fds[0]);
  if (n > 0) {
    error = "cannot run " + argv[0] + ": " + std::strerror(exec_errno);
    waitpid(pid, nullptr, 0);
    close(fds[0]);
    return nullptr;
  }
  return std::make_unique<ChildProcessImpl>(pid, fds[0]);
}

}  // namespace traceproof
