// A RabbitMQ broker that traceproof starts for one run and stops at its end: Debian's
// rabbitmq-server run as a plain process (no system service) on loopback, with its own node
// name (traceproof-<pid>-<n>@localhost), its own data, log and HOME (Erlang cookie) in a
// temporary directory, free ports for AMQP and Erlang distribution, no plugins, and its own epmd:
// started by us in the foreground on a free port (ERL_EPMD_PORT) before the node, so the node
// uses it, nothing daemonizes, and the system epmd, if any, is neither used nor touched. The
// node and epmd each lead a process group registered with the run's reaper, so a killed
// traceproof leaves neither beam.smp nor epmd behind. Start() waits (bounded) until an AMQP
// connection and channel open; Stop() asks the node to stop (rabbitmqctl stop), then signals
// its process group, stops epmd, and removes the directory. A ProcessUnderTest ("rabbitmq"),
// called by `traceproof run` for `broker: rabbitmq`, `traceproof broker` and tests.
// Not thread-safe: one owning thread (a restart fault may run on another while the owner leaves
// the broker alone).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "process/process_under_test.h"

namespace traceproof {

class Reaper;

// How long the node gets to stop (rabbitmqctl stop) before its group is signalled.
inline constexpr std::chrono::milliseconds kRabbitMqStopTimeout{15000};

struct RabbitMqBrokerOptions {
  std::string server = "/usr/lib/rabbitmq/bin/rabbitmq-server";  // not the root-only wrapper
  std::string ctl = "/usr/lib/rabbitmq/bin/rabbitmqctl";
  std::string epmd = "/usr/bin/epmd";
  std::chrono::milliseconds start_timeout{30000};  // StartRabbitMqBroker's ready timeout
  std::chrono::milliseconds stop_timeout = kRabbitMqStopTimeout;  // the destructor's grace
  Reaper* reaper = nullptr;                                       // nullptr: none registered
};

class RabbitMqBroker : public ProcessUnderTest {
 public:
  std::string_view Name() const noexcept override { return "rabbitmq"; }
  virtual std::uint16_t amqp_port() const = 0;
  virtual std::string amqp_url() const = 0;  // amqp://guest:guest@127.0.0.1:PORT (vhost /)
  virtual std::string node_name() const = 0;
  // Of the node's process group leader (the last incarnation's); thread-safe.
  virtual pid_t pid() const = 0;
  virtual pid_t epmd_pid() const = 0;  // of the epmd we started (its own group's leader)
  // The last `lines` lines of the broker's log and console output.
  virtual std::string LogTail(int lines = 40) const = 0;
  // Stops the node and starts it again with the same name, ports and data: durable queues and
  // persistent messages survive; clients' connections break. Blocks until the node accepts
  // AMQP again (within the ready timeout Start was given); false with `error` (and the log
  // tail) if it does not.
  virtual bool Restart(std::string& error) = 0;
};

// Not started yet: Start(ready_timeout) does that. The destructor stops what was started.
std::unique_ptr<RabbitMqBroker> MakeRabbitMqBroker(const RabbitMqBrokerOptions& options);

// Made and started within options.start_timeout; nullptr with `error` set (including the
// broker's log tail) when it did not become ready, and then nothing is left running.
std::unique_ptr<RabbitMqBroker> StartRabbitMqBroker(const RabbitMqBrokerOptions& options,
                                                    std::string& error);

}  // namespace traceproof
