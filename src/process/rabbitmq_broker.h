// A RabbitMQ broker that traceproof starts for one run and stops at its end: Debian's
// rabbitmq-server run as a plain process (no system service) on loopback, with its own node
// name (traceproof-<pid>-<n>@localhost), its own data, log and HOME (Erlang cookie) in a
// temporary directory, free ports for AMQP, Erlang distribution and its own epmd (ERL_EPMD_PORT,
// so the system epmd, if any, is neither used nor touched), and no plugins. Start() waits
// (bounded) until an AMQP connection and channel open; Stop() asks the node to stop
// (rabbitmqctl stop), then signals its process group, kills the epmd it started, and removes
// the directory, so nothing is left behind. Called by `traceproof run` for `broker: rabbitmq`
// and by tests. Not thread-safe: one owning thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace traceproof {

struct RabbitMqBrokerOptions {
  std::string server = "/usr/lib/rabbitmq/bin/rabbitmq-server";  // not the root-only wrapper
  std::string ctl = "/usr/lib/rabbitmq/bin/rabbitmqctl";
  std::chrono::milliseconds start_timeout{30000};
  std::chrono::milliseconds stop_timeout{15000};
};

class RabbitMqBroker {
 public:
  virtual ~RabbitMqBroker() = default;  // implementations Stop()
  virtual std::uint16_t amqp_port() const = 0;
  virtual std::string amqp_url() const = 0;  // amqp://guest:guest@127.0.0.1:PORT (vhost /)
  virtual std::string node_name() const = 0;
  virtual pid_t pid() const = 0;  // of the process group leader
  // The last `lines` lines of the broker's log and console output.
  virtual std::string LogTail(int lines = 40) const = 0;
  // Stops the node and starts it again with the same name, ports and data: durable queues and
  // persistent messages survive; clients' connections break. Blocks until the node accepts
  // AMQP again; false with `error` (and the log tail) if it does not.
  virtual bool Restart(std::string& error) = 0;
  // Stops the node and everything it started; idempotent.
  virtual void Stop() = 0;
};

// nullptr with `error` set (including the broker's log tail) when it did not become ready.
std::unique_ptr<RabbitMqBroker> StartRabbitMqBroker(const RabbitMqBrokerOptions& options,
                                                    std::string& error);

}  // namespace traceproof
