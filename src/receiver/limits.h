// Limits shared by both receivers: what one request may cost, and what a refused client is
// told to wait. Plain data.
#pragma once

#include <chrono>
#include <cstddef>

namespace traceproof {

struct ReceiverLimits {
  std::size_t max_body_bytes = std::size_t{64} << 20;  // after decompression; 413 / gRPC limit
  std::chrono::seconds retry_after{1};                 // 429 Retry-After, gRPC RetryInfo
  std::chrono::seconds idle_timeout{60};               // HTTP keep-alive connection idle limit
};

}  // namespace traceproof
