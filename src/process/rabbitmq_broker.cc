#include "process/rabbitmq_broker.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "process/amqp_probe.h"

extern char** environ;

namespace traceproof {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A port the kernel just gave out on loopback; it is released before the broker binds it, a
// small race accepted in exchange for not parsing the broker's log for the port it chose.
std::uint16_t FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  std::uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string Tail(const fs::path& file, int lines) {
  std::ifstream in(file);
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(line);
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  std::string out;
  for (const auto& l : last) out += "  " + l + "\n";
  return out;
}

// Runs argv with `env` (added to ours) in a new session, output to `log`; returns the pid or -1.
pid_t Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
            const fs::path& cwd, const fs::path& log) {
  std::vector<std::string> env_strings = env;
  for (char** e = environ; *e; ++e) {
    const std::string_view entry(*e);
    const std::string name(entry.substr(0, entry.find('=')));
    bool overridden = false;
    for (const auto& mine : env) overridden |= mine.starts_with(name + "=");
    if (!overridden) env_strings.emplace_back(entry);
  }
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);
  const std::string cwd_s = cwd.string(), log_s = log.string();
  const pid_t pid = fork();
  if (pid != 0) return pid;
  // Child: only async-signal-safe calls until exec.
  setsid();
  const int out = open(log_s.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  const int in = open("/dev/null", O_RDONLY);
  if (out >= 0) {
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
  }
  if (in >= 0) dup2(in, STDIN_FILENO);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (chdir(cwd_s.c_str()) != 0) _exit(126);
  execve(args[0], args.data(), envp.data());
  _exit(127);
}

// Waits for `pid` to exit, at most `timeout`; true if it did (and was reaped).
bool WaitExit(pid_t pid, milliseconds timeout, int* status = nullptr) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int st = 0;
    const pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) {
      if (status) *status = st;
      return true;
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
}

bool GroupAlive(pid_t pgid) { return kill(-pgid, 0) == 0; }

std::atomic<int> broker_counter{0};

class Broker final : public RabbitMqBroker {
 public:
  explicit Broker(RabbitMqBrokerOptions options) : options_(std::move(options)) {}
  ~Broker() override { Stop(); }

  bool Start(std::string& error) {
    char tmpl[] = "/tmp/traceproof-rabbitmq.XXXXXX";
    if (!mkdtemp(tmpl)) {
      error = std::string("cannot create a temporary directory: ") + std::strerror(errno);
      return false;
    }
    dir_ = tmpl;
    node_ = fmt::format("traceproof-{}-{}@localhost", getpid(), broker_counter++);
    amqp_port_ = FreeLoopbackPort();
    dist_port_ = FreeLoopbackPort();
    epmd_port_ = FreeLoopbackPort();
    if (!amqp_port_ || !dist_port_ || !epmd_port_) {
      error = "no free loopback port for the broker";
      return false;
    }
    std::ofstream(dir_ / "enabled_plugins") << "[].\n";
    std::ofstream(dir_ / "rabbitmq-env.conf") << "";
    env_ = {
        "HOME=" + dir_.string(),  // the Erlang cookie rabbitmqctl shares with the node
        "RABBITMQ_NODENAME=" + node_,
        "RABBITMQ_NODE_IP_ADDRESS=127.0.0.1",
        fmt::format("RABBITMQ_NODE_PORT={}", amqp_port_),
        fmt::format("RABBITMQ_DIST_PORT={}", dist_port_),
        fmt::format("ERL_EPMD_PORT={}", epmd_port_),
        "ERL_EPMD_ADDRESS=127.0.0.1",
        "RABBITMQ_MNESIA_BASE=" + (dir_ / "mnesia").string(),
        "RABBITMQ_LOG_BASE=" + (dir_ / "log").string(),
        "RABBITMQ_LOGS=" + (dir_ / "log" / "broker.log").string(),
        "RABBITMQ_PLUGINS_EXPAND_DIR=" + (dir_ / "plugins-expand").string(),
        "RABBITMQ_ENABLED_PLUGINS_FILE=" + (dir_ / "enabled_plugins").string(),
        "RABBITMQ_CONF_ENV_FILE=" + (dir_ / "rabbitmq-env.conf").string(),
        "RABBITMQ_CONFIG_FILE=" + (dir_ / "rabbitmq").string(),  // absent: defaults
        "RABBITMQ_ADVANCED_CONFIG_FILE=" + (dir_ / "advanced.config").string(),
        "RABBITMQ_PID_FILE=" + (dir_ / "broker.pid").string(),
    };
    return Launch(error);
  }

  // Starts the node with env_ and waits until it accepts AMQP (or fails, with its log).
  bool Launch(std::string& error) {
    pid_exited_ = false;
    pid_ = Spawn({options_.server}, env_, dir_, dir_ / "console.log");
    if (pid_ < 0) {
      error = std::string("cannot start rabbitmq-server: fork: ") + std::strerror(errno);
      return false;
    }
    const auto deadline = Clock::now() + options_.start_timeout;
    std::string last;
    for (;;) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_exited_ = true;
        error = fmt::format("rabbitmq-server ({}) exited with status {} before it was ready",
                            options_.server,
                            WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        error += "\n" + LogTail();
        return false;
      }
      if (AmqpAnswers(amqp_url(), milliseconds(1000), last)) return true;
      if (Clock::now() >= deadline) {
        error = fmt::format("rabbitmq-server did not accept AMQP on 127.0.0.1:{} within {} ms ({})",
                            amqp_port_, options_.start_timeout.count(), last);
        error += "\n" + LogTail();
        return false;
      }
      std::this_thread::sleep_for(milliseconds(200));
    }
  }

  std::uint16_t amqp_port() const override { return amqp_port_; }
  std::string amqp_url() const override {
    return fmt::format("amqp://guest:guest@127.0.0.1:{}", amqp_port_);
  }
  std::string node_name() const override { return node_; }
  pid_t pid() const override { return pid_; }

  std::string LogTail(int lines = 40) const override {
    std::string out = fmt::format("broker log ({}):\n", (dir_ / "log" / "broker.log").string());
    out += Tail(dir_ / "log" / "broker.log", lines);
    out += fmt::format("broker console ({}):\n", (dir_ / "console.log").string());
    out += Tail(dir_ / "console.log", lines / 2);
    return out;
  }

  void Stop() override {
    if (stopped_) return;
    stopped_ = true;
    if (pid_ > 0) {
      StopNode();
      // The epmd the node started on our port (a daemon in its own session).
      const pid_t epmd = Spawn({"/usr/bin/epmd", "-port", std::to_string(epmd_port_), "-kill"},
                               env_, dir_, dir_ / "epmd.log");
      if (epmd > 0 && !WaitExit(epmd, milliseconds(5000))) kill(epmd, SIGKILL);
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  bool Restart(std::string& error) override {
    if (stopped_ || pid_ <= 0) {
      error = "the broker is stopped";
      return false;
    }
    // Same node name, ports and data directory: durable queues and persistent messages are
    // recovered from disk, as after a real restart.
    StopNode();
    return Launch(error);
  }

 private:
  // Stops the node (gracefully, then its process group); keeps epmd and the data directory.
  void StopNode() {
    if (!pid_exited_) {
      // Graceful first: the node flushes and exits; then its process group, if anything is
      // left (the node itself, erl_child_setup), gets SIGTERM, then SIGKILL.
      const pid_t ctl = Spawn({options_.ctl, "-n", node_, "stop"}, env_, dir_, dir_ / "ctl.log");
      if (ctl > 0 && !WaitExit(ctl, options_.stop_timeout)) {
        kill(ctl, SIGKILL);
        WaitExit(ctl, milliseconds(1000));
      }
      if (!WaitExit(pid_, options_.stop_timeout)) {
        kill(-pid_, SIGTERM);
        if (!WaitExit(pid_, milliseconds(5000))) {
          kill(-pid_, SIGKILL);
          WaitExit(pid_, milliseconds(5000));
        }
      }
    }
    // Processes of the group that outlived the leader (beam exits after the script).
    const auto deadline = Clock::now() + milliseconds(5000);
    while (GroupAlive(pid_) && Clock::now() < deadline)
      std::this_thread::sleep_for(milliseconds(20));
    if (GroupAlive(pid_)) kill(-pid_, SIGKILL);
  }

  RabbitMqBrokerOptions options_;
  fs::path dir_;
  std::string node_;
  std::vector<std::string> env_;
  std::uint16_t amqp_port_ = 0, dist_port_ = 0, epmd_port_ = 0;
  pid_t pid_ = -1;
  bool pid_exited_ = false;
  bool stopped_ = false;
};

}  // namespace

std::unique_ptr<RabbitMqBroker> StartRabbitMqBroker(const RabbitMqBrokerOptions& options,
                                                    std::string& error) {
  auto broker = std::make_unique<Broker>(options);
  if (!broker->Start(error)) return nullptr;  // the destructor stops what did start
  return broker;
}

}  // namespace traceproof
