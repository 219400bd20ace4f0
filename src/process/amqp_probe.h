// Whether an AMQP 0-9-1 broker is ready for clients: a connection that logs in and opens a
// channel, then closes. The RabbitMQ broker traceproof starts is ready when this succeeds (a
// listening port alone is not enough: RabbitMQ accepts TCP before it accepts logins). rabbitmq-c
// (Debian librabbitmq), the library the AMQP queue uses too. A plain function: thread-safe.
#pragma once

#include <chrono>
#include <string>

namespace traceproof {

// True when the broker at `url` answered within `timeout`; false with `error` saying why.
bool AmqpAnswers(const std::string& url, std::chrono::milliseconds timeout, std::string& error);

}  // namespace traceproof
