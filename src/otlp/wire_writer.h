// Appends protobuf wire format to a std::string: the tracer encodes each span straight into
// OTLP bytes as attributes are set, and exporters frame those bytes into an export request, so
// no message objects are built on the hot path (the ≤250 ns/span budget rules libprotobuf's
// build-then-serialize out). The counterpart of wire_reader.h. Not thread-safe (a buffer).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace traceproof::wire {

inline std::size_t VarintSize(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
// Writes at p, returns the end. The caller made room (VarintSize bytes).
inline char* PutVarint(char* p, std::uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}
inline void Varint(std::string& out, std::uint64_t v) {
  char buf[10];  // one append, not a capacity check per byte
  out.append(buf, static_cast<std::size_t>(PutVarint(buf, v) - buf));
}
inline void Tag(std::string& out, std::uint32_t field, std::uint32_t wire_type) {
  Varint(out, static_cast<std::uint64_t>(field) << 3 | wire_type);
}
inline void VarintField(std::string& out, std::uint32_t field, std::uint64_t v) {
  Tag(out, field, 0);
  Varint(out, v);
}
inline void Fixed64Field(std::string& out, std::uint32_t field, std::uint64_t v) {
  Tag(out, field, 1);
  char b[8];
  std::memcpy(b, &v, 8);  // little-endian hosts only, as wire_reader.h
  out.append(b, 8);
}
inline void Fixed32Field(std::string& out, std::uint32_t field, std::uint32_t v) {
  Tag(out, field, 5);
  char b[4];
  std::memcpy(b, &v, 4);
  out.append(b, 4);
}
inline void DoubleField(std::string& out, std::uint32_t field, double v) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, 8);
  Fixed64Field(out, field, bits);
}
inline void BytesField(std::string& out, std::uint32_t field, std::string_view bytes) {
  Tag(out, field, 2);
  Varint(out, bytes.size());
  out.append(bytes);
}

// Writes a length-delimited field whose body is produced by `body(out)` in place: reserves the
// longest length prefix needed for `max_len`, then shifts the body if the real prefix is shorter.
template <typename Body>
void NestedField(std::string& out, std::uint32_t field, Body&& body) {
  Tag(out, field, 2);
  const std::size_t len_at = out.size();
  out.append(5, '\0');  // room for a 32-bit varint length
  const std::size_t body_at = out.size();
  body(out);
  const std::size_t len = out.size() - body_at;
  char prefix[5];
  std::size_t n = 0;
  std::uint64_t v = len;
  while (v >= 0x80) {
    prefix[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  prefix[n++] = static_cast<char>(v);
  std::memcpy(out.data() + len_at, prefix, n);
  if (n < 5) out.erase(len_at + n, 5 - n);
}

}  // namespace traceproof::wire
