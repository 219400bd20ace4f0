// Ports on 127.0.0.1 for processes traceproof starts and cannot hand a listening socket to (the
// Collector, RabbitMQ, epmd): one the kernel says is free now, and whether something accepts
// connections on one yet (readiness). The process binds the port a moment after it was chosen,
// a race another process could win; that shows up as a clear "address already in use" in its
// log. Plain functions: thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace traceproof {

// 0 with `error` set (when given) if no port could be had.
std::uint16_t FreeLoopbackPort(std::string* error = nullptr);

// Whether a TCP connection to 127.0.0.1:port succeeds now.
bool AcceptsOnLoopback(int port);

}  // namespace traceproof
