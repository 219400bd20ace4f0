#include "process/rabbitmq_broker.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>
#include <utility>
#include <vector>

#include "process/amqp_probe.h"
#include "process/child_process.h"
#include "process/log_tail.h"
#include "process/loopback_port.h"
#include "process/proc_stat.h"
#include "process/reaper.h"

namespace traceproof {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Whether `child` exits within `timeout` (it is then a zombie until Finish reaps it).
bool ExitsWithin(const ChildProcess& child, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (child.Running()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

bool GroupAlive(pid_t pgid) { return kill(-pgid, 0) == 0; }

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

class Broker final : public RabbitMqBroker {
 public:
  explicit Broker(RabbitMqBrokerOptions options) : options_(std::move(options)) {}
  ~Broker() override { Stop(options_.stop_timeout); }

  Status Start(milliseconds ready_timeout) noexcept override {
    try {
      if (!dir_.empty()) return Status::Error("the broker was started already");
      ready_timeout_ = ready_timeout;
      const auto deadline = Clock::now() + ready_timeout;
      std::string error;
      if (Prepare(error) && StartEpmd(deadline, error) && Launch(error)) return Status::Ok();
      Stop(options_.stop_timeout);  // nothing is left running after a failed start
      return Status::Error(error);
    } catch (const std::exception& e) {
      Stop(options_.stop_timeout);
      return Status::Error(std::string("RabbitMQ did not start: ") + e.what());
    }
  }

  void Stop(milliseconds grace) noexcept override {
    if (stopped_) return;
    stopped_ = true;
    StopNode(grace);
    if (epmd_) epmd_->Stop(milliseconds(5000));  // SIGTERM ends it; the group is its own
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  ProcessMetrics Metrics() const noexcept override;
  // Valid while it runs: Stop removes the directory.
  std::filesystem::path LogPath() const noexcept override {
    return dir_.empty() ? fs::path() : dir_ / "log" / "broker.log";
  }

  std::uint16_t amqp_port() const override { return amqp_port_; }
  std::string amqp_url() const override {
    return fmt::format("amqp://guest:guest@127.0.0.1:{}", amqp_port_);
  }
  std::string node_name() const override { return node_; }
  pid_t pid() const override { return server_pid_.load(); }
  pid_t epmd_pid() const override { return epmd_ ? epmd_->pid() : -1; }

  std::string LogTail(int lines = 40) const override {
    std::string out = fmt::format("broker log ({}):\n", (dir_ / "log" / "broker.log").string());
    out += LogFileTail(dir_ / "log" / "broker.log", lines, "  ");
    out += fmt::format("broker console ({}):\n", (dir_ / "console.log").string());
    out += LogFileTail(dir_ / "console.log", lines / 2, "  ");
    return out;
  }

  bool Restart(std::string& error) override {
    if (stopped_ || !server_) {
      error = "the broker is stopped";
      return false;
    }
    // Same node name, ports and data directory: durable queues and persistent messages are
    // recovered from disk, as after a real restart.
    StopNode(options_.stop_timeout);
    return Launch(error);
  }

 private:
  bool Prepare(std::string& error);
  bool StartEpmd(Clock::time_point deadline, std::string& error);
  bool Launch(std::string& error);
  void StopNode(milliseconds grace);
  ChildOptions Child(const char* output) const;
  std::unique_ptr<ChildProcess> Run(const std::vector<std::string>& argv, const char* output,
                                    std::string& error) const {
    return SpawnChild(argv, error, Child(output));
  }

  RabbitMqBrokerOptions options_;
  milliseconds ready_timeout_{0};
  fs::path dir_;
  std::string node_;
  std::vector<std::pair<std::string, std::string>> env_;
  std::uint16_t amqp_port_ = 0, dist_port_ = 0, epmd_port_ = 0;
  std::unique_ptr<ChildProcess> epmd_;
  std::unique_ptr<ChildProcess> server_;  // the node's incarnation now, or the last one
  // server_'s pid, for readers on other threads while a restart fault replaces server_.
  std::atomic<pid_t> server_pid_{-1};
  bool stopped_ = false;
  Clock::time_point started_at_;  // of the running incarnation
  double cpu_before_ = 0;         // of incarnations that ended (wait4: the script and the node)
  double wall_before_ = 0;
};

// The temporary directory, node name, ports and environment every process of the broker shares.
bool Broker::Prepare(std::string& error) {
  char tmpl[] = "/tmp/traceproof-rabbitmq.XXXXXX";
  if (!mkdtemp(tmpl)) {
    error = std::string("cannot create a temporary directory: ") + std::strerror(errno);
    return false;
  }
  dir_ = tmpl;
  // The directory's random suffix keeps the names of two brokers of one process apart.
  const std::string suffix = dir_.extension().string().substr(1);
  node_ = fmt::format("traceproof-{}-{}@localhost", getpid(), suffix);
  amqp_port_ = FreeLoopbackPort();
  dist_port_ = FreeLoopbackPort();
  epmd_port_ = FreeLoopbackPort();
  if (!amqp_port_ || !dist_port_ || !epmd_port_) {
    error = "no free loopback port for the broker";
    return false;
  }
  std::ofstream(dir_ / "enabled_plugins") << "[].\n";
  std::ofstream(dir_ / "rabbitmq-env.conf") << "";
  const auto in_dir = [this](const char* name) { return (dir_ / name).string(); };
  env_ = {
      {"HOME", dir_.string()},  // the Erlang cookie rabbitmqctl shares with the node
      {"RABBITMQ_NODENAME", node_},
      {"RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1"},
      {"RABBITMQ_NODE_PORT", std::to_string(amqp_port_)},
      {"RABBITMQ_DIST_PORT", std::to_string(dist_port_)},
      {"ERL_EPMD_PORT", std::to_string(epmd_port_)},
      {"ERL_EPMD_ADDRESS", "127.0.0.1"},
      // Every erl the broker runs (the node, its epmd starter, rabbitmqctl) uses our epmd and
      // never starts a daemon of its own.
      {"ERL_FLAGS", "-start_epmd false"},
      {"RABBITMQ_MNESIA_BASE", in_dir("mnesia")},
      {"RABBITMQ_LOG_BASE", in_dir("log")},
      {"RABBITMQ_LOGS", (dir_ / "log" / "broker.log").string()},
      {"RABBITMQ_PLUGINS_EXPAND_DIR", in_dir("plugins-expand")},
      {"RABBITMQ_ENABLED_PLUGINS_FILE", in_dir("enabled_plugins")},
      {"RABBITMQ_CONF_ENV_FILE", in_dir("rabbitmq-env.conf")},
      {"RABBITMQ_CONFIG_FILE", in_dir("rabbitmq")},  // absent: defaults
      {"RABBITMQ_ADVANCED_CONFIG_FILE", in_dir("advanced.config")},
      {"RABBITMQ_PID_FILE", in_dir("broker.pid")},
  };
  return true;
}

ChildOptions Broker::Child(const char* output) const {
  ChildOptions o;
  o.env = env_;
  o.cwd = dir_;
  o.output_file = dir_ / output;
  o.reaper = options_.reaper;
  return o;
}

// epmd in the foreground, in its own group, listening before the node looks for it.
bool Broker::StartEpmd(Clock::time_point deadline, std::string& error) {
  std::string spawn_error;
  epmd_ = Run({options_.epmd, "-port", std::to_string(epmd_port_)}, "epmd.log", spawn_error);
  if (!epmd_) {
    error = "cannot start epmd: " + spawn_error;
    return false;
  }
  while (!AcceptsOnLoopback(epmd_port_)) {
    if (!epmd_->Running() || Clock::now() >= deadline) {
      error = fmt::format("epmd ({}) did not listen on 127.0.0.1:{}: {}", options_.epmd, epmd_port_,
                          LogFileTail(dir_ / "epmd.log", 5, "  "));
      return false;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

// Starts the node with env_ and waits until it accepts AMQP (or fails, with its log).
bool Broker::Launch(std::string& error) {
  std::string spawn_error;
  server_ = Run({options_.server}, "console.log", spawn_error);
  server_pid_ = server_ ? server_->pid() : -1;
  if (!server_) {
    error = "cannot start rabbitmq-server: " + spawn_error;
    return false;
  }
  started_at_ = Clock::now();
  const auto deadline = started_at_ + ready_timeout_;
  std::string last;
  for (;;) {
    if (!server_->Running()) {
      error = fmt::format("rabbitmq-server ({}) exited with status {} before it was ready",
                          options_.server, server_->Finish(false).status);
      error += "\n" + LogTail();
      return false;
    }
    if (AmqpAnswers(amqp_url(), milliseconds(1000), last)) return true;
    if (Clock::now() >= deadline) {
      error = fmt::format("rabbitmq-server did not accept AMQP on 127.0.0.1:{} within {} ms ({})",
                          amqp_port_, ready_timeout_.count(), last);
      error += "\n" + LogTail();
      return false;
    }
    std::this_thread::sleep_for(milliseconds(200));
  }
}

// Stops the node (gracefully, then its process group); keeps epmd and the data directory.
void Broker::StopNode(milliseconds grace) {
  if (!server_) return;
  const pid_t group = server_->pid();
  if (server_->Running()) {
    // Graceful first: the node flushes and exits; then its process group, if anything is left
    // (the node itself, erl_child_setup), gets SIGTERM, then SIGKILL.
    std::string error;
    if (auto ctl = Run({options_.ctl, "-n", node_, "stop"}, "ctl.log", error);
        ctl && !ExitsWithin(*ctl, grace))
      ctl->Kill();
    if (!ExitsWithin(*server_, grace)) {
      kill(-group, SIGTERM);
      if (!ExitsWithin(*server_, milliseconds(5000))) kill(-group, SIGKILL);
    }
  }
  const ChildExit exit = server_->Finish(false);
  cpu_before_ += exit.cpu_s;
  wall_before_ += Seconds(Clock::now() - started_at_);
  // Processes of the group that outlived the leader (beam exits after the script).
  const auto deadline = Clock::now() + milliseconds(5000);
  while (GroupAlive(group) && Clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(20));
  if (GroupAlive(group)) kill(-group, SIGKILL);
  if (options_.reaper && !GroupAlive(group)) options_.reaper->Unregister(group);
}

ProcessMetrics Broker::Metrics() const noexcept {
  ProcessMetrics m;
  m.cpu_seconds = cpu_before_;
  m.wall_seconds = wall_before_;
  if (server_ && server_->Running()) {
    // The script, beam.smp and its helpers: the whole group, as /proc has it now.
    m.cpu_seconds += GroupCpuSeconds(server_->pid());
    m.wall_seconds += Seconds(Clock::now() - started_at_);
  }
  m.mean_cpu_percent = m.wall_seconds > 0 ? 100.0 * m.cpu_seconds / m.wall_seconds : 0;
  return m;
}

}  // namespace

std::unique_ptr<RabbitMqBroker> MakeRabbitMqBroker(const RabbitMqBrokerOptions& options) {
  return std::make_unique<Broker>(options);
}

std::unique_ptr<RabbitMqBroker> StartRabbitMqBroker(const RabbitMqBrokerOptions& options,
                                                    std::string& error) {
  auto broker = MakeRabbitMqBroker(options);
  if (const Status s = broker->Start(options.start_timeout); !s.ok()) {
    error = s.error;
    return nullptr;
  }
  return broker;
}

}  // namespace traceproof
