// Trace and span identifiers exactly as OTLP carries them: 16 and 8 raw bytes. Plain values,
// cheap to copy and hash, used as keys by the trace store and printed as lowercase hex (the
// OTLP/JSON and W3C form). Thread-safe: immutable values.
#pragma once

#include <absl/hash/hash.h>

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace traceproof {

template <std::size_t N>
struct Id {
  static constexpr std::size_t kSize = N;
  std::array<std::uint8_t, N> bytes{};

  // All-zero ids are invalid per the OTLP and W3C specs.
  bool IsValid() const {
    for (auto b : bytes)
      if (b != 0) return true;
    return false;
  }
  std::string Hex() const {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(2 * N, '0');
    for (std::size_t i = 0; i < N; ++i) {
      out[2 * i] = kDigits[bytes[i] >> 4];
      out[2 * i + 1] = kDigits[bytes[i] & 0xF];
    }
    return out;
  }
  // Exact-length lowercase or uppercase hex; nullopt otherwise.
  static std::optional<Id> FromHex(std::string_view hex) {
    if (hex.size() != 2 * N) return std::nullopt;
    Id id;
    for (std::size_t i = 0; i < N; ++i) {
      int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
      if (hi < 0 || lo < 0) return std::nullopt;
      id.bytes[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return id;
  }
  static Id FromBytes(std::string_view raw) {  // caller checked raw.size() == N
    Id id;
    std::memcpy(id.bytes.data(), raw.data(), N);
    return id;
  }
  static int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  auto operator<=>(const Id&) const = default;
};

using TraceId = Id<16>;
using SpanId = Id<8>;

struct IdHash {
  // All bytes, through absl's per-process-seeded hash: W3C asks for random ids, but test tools
  // send sequential ones and a hostile client can send colliding ones; truncating the id to a
  // few bytes once turned the trace store into one long hash chain.
  template <std::size_t N>
  std::size_t operator()(const Id<N>& id) const {
    return absl::Hash<std::string_view>{}(
        std::string_view(reinterpret_cast<const char*>(id.bytes.data()), N));
  }
};

}  // namespace traceproof
