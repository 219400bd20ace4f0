// The seam between span processing and the wire: an exporter sends a batch of encoded spans of
// one service (one resource, one instrumentation scope) somewhere. Implementations: OTLP/gRPC,
// OTLP/HTTP protobuf, and an in-memory exporter for tests. Called from one thread at a time
// (the batch processor's worker); Export must not throw.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tracing/finished_span.h"

namespace traceproof {

struct ExportResult {
  enum class Kind {
    kSuccess,
    kRetryable,  // e.g. gRPC UNAVAILABLE/RESOURCE_EXHAUSTED, HTTP 429/502/503/504: try again
    kFailed,     // e.g. INVALID_ARGUMENT, HTTP 400: the batch is dropped
  };
  Kind kind = Kind::kSuccess;
  std::optional<std::chrono::milliseconds> retry_after;  // server's Retry-After / RetryInfo
  std::uint64_t rejected_spans = 0;                      // partial_success from the server
  std::string message;
};

class SpanExporter {
 public:
  virtual ~SpanExporter() = default;
  virtual ExportResult Export(const std::vector<FinishedSpan>& batch) noexcept = 0;
  virtual void Shutdown() noexcept {}
};

}  // namespace traceproof
