// `traceproof broker`: the RabbitMQ broker that `broker: rabbitmq` starts for a run, standalone
// (own node name, data dir and loopback ports, no system service), for tests and users who
// point their own AMQP clients and `traceproof serve --broker` at it. Prints
// "amqp url: amqp://..." once the broker accepts connections, then waits for SIGINT/SIGTERM
// (or --duration) and stops it, leaving no process or directory behind.
#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <iostream>
#include <memory>

#include "commands.h"
#include "exit_codes.h"
#include "process/rabbitmq_broker.h"
#include "stop_signals.h"

namespace traceproof {
namespace {

struct BrokerFlags {
  double duration_s = 0;
  double start_timeout_s = 30;
};

int RunBroker(const BrokerFlags& flags, Reaper* reaper) {
  // Block the stop signals before the broker's processes exist, so a SIGTERM that arrives
  // while it starts is taken by sigwait below and still stops it.
  sigset_t stop_signals = BlockStopSignals();

  RabbitMqBrokerOptions options;
  options.reaper = reaper;
  options.start_timeout = std::chrono::milliseconds(static_cast<long>(flags.start_timeout_s * 1e3));
  std::string error;
  const auto begin = std::chrono::steady_clock::now();
  std::unique_ptr<RabbitMqBroker> broker = StartRabbitMqBroker(options, error);
  if (!broker) {
    std::cerr << "traceproof broker: RabbitMQ did not start: " << error << "\n";
    return kExitEnvironment;
  }
  fmt::print("broker: rabbitmq {} (pid {}) ready after {:.1f} s\n", broker->node_name(),
             broker->pid(),
             std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
  fmt::print("amqp url: {}\n", broker->amqp_url());
  std::fflush(stdout);

  if (flags.duration_s > 0) {
    timespec wait{
        static_cast<time_t>(flags.duration_s),
        static_cast<long>((flags.duration_s - static_cast<long>(flags.duration_s)) * 1e9)};
    sigtimedwait(&stop_signals, nullptr, &wait);
  } else {
    int sig = 0;
    sigwait(&stop_signals, &sig);
  }
  broker->Stop(options.stop_timeout);
  fmt::print("broker: stopped\n");
  return kExitOk;
}

}  // namespace

CommandRun AddBrokerCommand(CLI::App& app, const CommandContext& context) {
  auto flags = std::make_shared<BrokerFlags>();
  CLI::App* cmd = app.add_subcommand(
      "broker",
      "Start a private RabbitMQ broker on loopback (as `broker: rabbitmq` does for a run), print\n"
      "its AMQP URL, and stop it on Ctrl-C/SIGTERM. Example: traceproof broker & then\n"
      "traceproof serve checkout-queue --broker <the printed URL>");
  cmd->add_option("--duration", flags->duration_s, "Stop after SECONDS (default: until Ctrl-C)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--start-timeout", flags->start_timeout_s,
                  "Seconds to wait for the broker to accept connections")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  return [flags, &context] { return RunBroker(*flags, context.reaper); };
}

}  // namespace traceproof
