// The warning `sink`, `run` and `serve` print to stderr when they listen beyond loopback
// without protection: anyone who can reach such a port can send spans into the checks (or, for
// `serve`, read the ground truth). Loopback stays the default; binding wider is allowed, but it
// must never be silent. Plain functions: thread-safe.
#pragma once

#include <string>

namespace traceproof {

// 127.0.0.0/8 and ::1 (and "localhost"); a host name or an unparsable address is not.
bool IsLoopbackHost(const std::string& host);

// "traceproof sink: warning: OTLP/gRPC listens on 0.0.0.0:4317, beyond loopback, and accepts
// any request: ... secure it with --require-header ... or --tls-cert/--tls-key"; empty when
// `host` is loopback or `secured` (a required header, or TLS). `what` names the receiver,
// `address` is printed as given.
std::string SinkExposureWarning(const std::string& command, const std::string& what,
                                const std::string& host, const std::string& address, bool secured);

}  // namespace traceproof
