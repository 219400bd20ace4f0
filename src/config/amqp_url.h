// AMQP broker URLs as a scenario names them (`broker: { amqp: URL }`) and the AMQP queue
// connects to them: amqp://[user:password@]host[:port][/vhost], parsed by rabbitmq-c's own
// amqp_parse_url so that what the loader accepts is exactly what the queue can open. A plain
// function, no state: thread-safe.
#pragma once

#include <optional>
#include <string>

namespace traceproof {

struct AmqpUrl {
  std::string host, user, password, vhost;
  int port = 5672;
};

// nullopt with `error` saying what is wrong (amqps is not supported).
std::optional<AmqpUrl> ParseAmqpUrl(const std::string& url, std::string& error);

}  // namespace traceproof
