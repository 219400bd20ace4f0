// The seam between receivers and whatever keeps spans: receivers decode a request into a
// SpanBatch and hand it over. Called from receiver threads; implementations must be
// thread-safe and must not throw (a refusal is a status, since the caller answers a client).
#pragma once

#include <cstdint>

#include "otlp/span_view.h"

namespace traceproof {

enum class ConsumeStatus {
  kAccepted,   // every span in the batch was taken
  kStoreFull,  // nothing was taken; the client should retry later (HTTP 429, RESOURCE_EXHAUSTED)
};

struct ConsumeResult {
  ConsumeStatus status = ConsumeStatus::kAccepted;
  std::uint64_t accepted_spans = 0;
};

class SpanConsumer {
 public:
  virtual ~SpanConsumer() = default;
  virtual ConsumeResult Consume(SpanBatch batch) noexcept = 0;
};

}  // namespace traceproof
