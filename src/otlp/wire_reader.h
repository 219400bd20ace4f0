// A minimal reader for the protobuf wire format (varint, fixed32/64, length-delimited), used by
// the lazy OTLP decoder. Written by hand because libprotobuf offers no zero-copy field scanner
// that leaves submessages unparsed: its generated parsers materialize every attribute, which is
// exactly the cost ingest must avoid. Every read is bounds-checked and reports failure instead
// of throwing, since the bytes come straight from the network. Not thread-safe (a cursor).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace traceproof {

enum class WireType : std::uint8_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

class WireReader {
 public:
  explicit WireReader(std::string_view bytes)
      : p_(reinterpret_cast<const std::uint8_t*>(bytes.data())), end_(p_ + bytes.size()) {}

  bool AtEnd() const { return p_ == end_; }
  std::size_t Remaining() const { return static_cast<std::size_t>(end_ - p_); }

  // Reads the next tag. False at a malformed tag (field 0, wire types 3/4/6/7 or a bad varint).
  bool ReadTag(std::uint32_t& field, WireType& type) {
    std::uint64_t tag;
    if (!ReadVarint(tag) || tag > 0xFFFFFFFFu) return false;
    field = static_cast<std::uint32_t>(tag >> 3);
    auto wt = static_cast<std::uint8_t>(tag & 7);
    if (field == 0 || (wt != 0 && wt != 1 && wt != 2 && wt != 5)) return false;
    type = static_cast<WireType>(wt);
    return true;
  }

  bool ReadVarint(std::uint64_t& value) {
    if (p_ < end_ && *p_ < 0x80) {  // one-byte fast path: tags, enums, small lengths
      value = *p_++;
      return true;
    }
    value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return false;
      std::uint8_t b = *p_++;
      value |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if (b < 0x80) return true;
    }
    return false;
  }

  bool ReadFixed64(std::uint64_t& value) {
    if (Remaining() < 8) return false;
    std::memcpy(&value, p_, 8);  // little-endian on every platform we build for
    p_ += 8;
    return true;
  }

  bool ReadFixed32(std::uint32_t& value) {
    if (Remaining() < 4) return false;
    std::memcpy(&value, p_, 4);
    p_ += 4;
    return true;
  }

  bool ReadLen(std::string_view& value) {
    std::uint64_t len;
    if (!ReadVarint(len) || len > Remaining()) return false;
    value = std::string_view(reinterpret_cast<const char*>(p_), static_cast<std::size_t>(len));
    p_ += len;
    return true;
  }

  // Takes `len` bytes after a length prefix the caller read and checked against Remaining().
  std::string_view Take(std::size_t len) {
    std::string_view value(reinterpret_cast<const char*>(p_), len);
    p_ += len;
    return value;
  }

  bool Skip(WireType type) {
    std::uint64_t v;
    std::uint32_t v32;
    std::string_view s;
    switch (type) {
      case WireType::kVarint:
        return ReadVarint(v);
      case WireType::kFixed64:
        return ReadFixed64(v);
      case WireType::kLen:
        return ReadLen(s);
      case WireType::kFixed32:
        return ReadFixed32(v32);
    }
    return false;
  }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

}  // namespace traceproof
