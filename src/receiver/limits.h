// Limits shared by both receivers: what one request may cost, what a refused client is told to
// wait, and the headers a request must carry to be let in at all. Plain data.
#pragma once

#include <chrono>
#include <cstddef>

#include "config/required_header.h"

namespace traceproof {

struct ReceiverLimits {
  std::size_t max_body_bytes = std::size_t{64} << 20;  // after decompression; 413 / gRPC limit
  std::chrono::seconds retry_after{1};                 // 429 Retry-After, gRPC RetryInfo
  std::chrono::seconds idle_timeout{60};               // HTTP keep-alive connection idle limit
  // Open OTLP/HTTP connections at most: one more is answered 503 and closed, counted as
  // too_many_connections, so idle or slow clients cannot use up the sink's file descriptors.
  std::size_t max_connections = 1024;
  // Every one must be present with its value (receiver/header_auth.h); else 401 /
  // UNAUTHENTICATED. Empty: no authentication.
  RequiredHeaders required_headers;
};

}  // namespace traceproof
