// A minimal HTTP/1.0 GET for what a run reads from processes it talks to but does not link:
// a Collector's Prometheus metrics, the admin endpoint of `traceproof serve`. Bounded by a
// timeout end to end (connect, send, read), never throws; a name is resolved with getaddrinfo
// (Docker Compose service names). Plain functions: thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace traceproof {

// GET http://HOST:PORT/PATH; the body of a 200 answer, or nullopt with `error` set (what
// failed, naming the address).
std::optional<std::string> HttpGet(const std::string& host, int port, const std::string& path,
                                   std::chrono::milliseconds timeout, std::string& error);

}  // namespace traceproof
