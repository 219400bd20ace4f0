// The one ingest step both receivers share: decode protobuf bytes, hand valid spans to the
// consumer, count everything (received, accepted, refused by reason) and say what the client
// should be told. Keeping it in one place is what makes gRPC and HTTP answer and count alike.
// Thread-safe: IngestCounters are atomics; Ingest is called from any receiver thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "otlp/refusal.h"
#include "store/span_consumer.h"

namespace traceproof {

struct IngestCounters {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> spans_received{0};  // every span decoded, valid or not
  std::atomic<std::uint64_t> spans_accepted{0};
  std::array<std::atomic<std::uint64_t>, kRefusalReasonCount> requests_refused{};
  std::array<std::atomic<std::uint64_t>, kRefusalReasonCount> spans_refused{};

  void RefuseRequest(RefusalReason reason, std::uint64_t spans = 0) {
    requests_refused[static_cast<std::size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
    spans_refused[static_cast<std::size_t>(reason)].fetch_add(spans, std::memory_order_relaxed);
  }
  std::uint64_t SpansRefused() const;
  std::uint64_t RequestsRefused() const;
};

struct IngestOutcome {
  enum class Kind { kOk, kMalformed, kStoreFull } kind = Kind::kOk;
  std::uint64_t accepted_spans = 0;
  std::uint64_t rejected_spans = 0;  // for partial_success
  std::string message;               // error (malformed/full) or partial_success.error_message
};

IngestOutcome Ingest(std::shared_ptr<const std::string> proto_bytes, SpanConsumer& consumer,
                     IngestCounters& counters);

}  // namespace traceproof
