#include "receiver/ingest.h"

#include <fmt/format.h>

#include "otlp/decode.h"

namespace traceproof {

std::uint64_t IngestCounters::SpansRefused() const {
  std::uint64_t n = 0;
  for (const auto& c : spans_refused) n += c.load(std::memory_order_relaxed);
  return n;
}

std::uint64_t IngestCounters::RequestsRefused() const {
  std::uint64_t n = 0;
  for (const auto& c : requests_refused) n += c.load(std::memory_order_relaxed);
  return n;
}

IngestOutcome Ingest(std::shared_ptr<const std::string> proto_bytes, SpanConsumer& consumer,
                     IngestCounters& counters) {
  DecodeResult decoded = DecodeExportRequest(std::move(proto_bytes));
  counters.spans_received.fetch_add(decoded.spans_seen, std::memory_order_relaxed);
  IngestOutcome out;
  if (!decoded.ok()) {
    counters.RefuseRequest(RefusalReason::kMalformed, decoded.spans_seen);
    out.kind = IngestOutcome::Kind::kMalformed;
    out.message = std::move(decoded.error);
    return out;
  }
  for (std::size_t i = 0; i < kRefusalReasonCount; ++i)
    counters.spans_refused[i].fetch_add(decoded.rejected_by_reason[i], std::memory_order_relaxed);
  const std::uint64_t valid = decoded.batch.spans.size();
  ConsumeResult consumed = consumer.Consume(std::move(decoded.batch));
  if (consumed.status == ConsumeStatus::kStoreFull) {
    counters.RefuseRequest(RefusalReason::kStoreFull, valid);
    out.kind = IngestOutcome::Kind::kStoreFull;
    out.message = fmt::format("trace store is full; {} spans not accepted, retry later", valid);
    return out;
  }
  counters.spans_accepted.fetch_add(consumed.accepted_spans, std::memory_order_relaxed);
  out.accepted_spans = consumed.accepted_spans;
  out.rejected_spans = decoded.spans_rejected;
  if (decoded.spans_rejected > 0) {
    out.message = fmt::format("{} of {} spans rejected; first: {}", decoded.spans_rejected,
                              decoded.spans_seen, decoded.first_rejection);
  }
  return out;
}

}  // namespace traceproof
