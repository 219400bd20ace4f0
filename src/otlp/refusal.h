// Why the sink refused a request or a span. One list shared by the decoders, the receivers and
// the summary, so every refusal is counted under a stable name that users can grep for.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace traceproof {

enum class RefusalReason : std::uint8_t {
  kInvalidTraceId,        // span: trace_id not 16 bytes, or all zero
  kInvalidSpanId,         // span: span_id not 8 bytes, or all zero
  kInvalidParentSpanId,   // span: parent_span_id neither empty nor 8 bytes
  kMalformed,             // request: bytes are not a valid ExportTraceServiceRequest
  kTooLarge,              // request: body over the (decompressed) size limit
  kUnsupportedMediaType,  // request: content type other than protobuf or JSON
  kBadContentEncoding,    // request: unknown Content-Encoding, or corrupt gzip
  kStoreFull,             // request: the trace store is at its memory bound
  kUnauthenticated,       // request: a required header (--require-header) missing or wrong
  kTlsHandshake,          // connection: no TLS handshake on a TLS port (e.g. plain text)
  kTooManyConnections,    // connection: beyond the receiver's connection cap
  kCount,
};

inline constexpr std::size_t kRefusalReasonCount = static_cast<std::size_t>(RefusalReason::kCount);

inline std::string_view RefusalReasonName(RefusalReason reason) {
  static constexpr std::array<std::string_view, kRefusalReasonCount> kNames = {
      "invalid_trace_id", "invalid_span_id",        "invalid_parent_span_id", "malformed",
      "too_large",        "unsupported_media_type", "bad_content_encoding",   "store_full",
      "unauthenticated",  "tls_handshake",          "too_many_connections",
  };
  return kNames[static_cast<std::size_t>(reason)];
}

using RefusalCounts = std::array<std::uint64_t, kRefusalReasonCount>;

}  // namespace traceproof
