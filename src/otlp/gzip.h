// gzip decompression for OTLP/HTTP bodies (Content-Encoding: gzip) with a hard cap on the
// decompressed size, so a gzip bomb costs at most `max_bytes` of memory before it is refused.
// Uses zlib; a pure function, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace traceproof {

enum class GunzipStatus { kOk, kTooLarge, kCorrupt };

struct GunzipResult {
  GunzipStatus status = GunzipStatus::kOk;
  std::string bytes;
  std::string error;
};

GunzipResult Gunzip(std::string_view compressed, std::size_t max_bytes);

// For tests and the span-load generator.
std::string Gzip(std::string_view raw);

}  // namespace traceproof
