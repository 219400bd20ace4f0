#include "tracing/tracer.h"

#include <chrono>
#include <cstring>
#include <absl/random/random.h>

#include "otlp/wire_writer.h"

namespace traceproof {
namespace {

// opentelemetry.proto.trace.v1.Span field numbers.
namespace f {
constexpr std::uint32_t kTraceId = 1, kSpanId = 2, kTraceState = 3, kParentSpanId = 4, kName = 5,
                        kKind = 6, kStart = 7, kEnd = 8, kAttributes = 9, kEvents = 11,
                        kLinks = 13, kStatus = 15, kFlags = 16;
constexpr std::uint32_t kEventTime = 1, kEventName = 2, kEventAttributes = 3;
constexpr std::uint32_t kLinkTraceId = 1, kLinkSpanId = 2, kLinkTraceState = 3,
                        kLinkAttributes = 4, kLinkFlags = 6;
constexpr std::uint32_t kStatusMessage = 2, kStatusCode = 3;
constexpr std::uint32_t kKeyValueKey = 1, kKeyValueValue = 2;
constexpr std::uint32_t kAnyString = 1, kAnyBool = 2, kAnyInt = 3, kAnyDouble = 4;
}  // namespace f

// W3C span flags in OTLP: bit 8 "has is_remote", bit 9 "parent is remote"; low byte = W3C flags.
constexpr std::uint32_t kHasIsRemoteMask = 0x100, kIsRemoteMask = 0x200;

// PCG (absl's InsecureBitGen), seeded per thread from the OS: ids must be random, not secret,
// and mt19937_64 cost more per span than all five attributes' bookkeeping in a profile.
absl::InsecureBitGen& Rng() {
  thread_local absl::InsecureBitGen rng;
  return rng;
}

// KeyValue{key, AnyValue} encoded at its exact size in one resize: attributes are the hot
// path (5 per span in the benchmark), and NestedField's reserve-then-shift showed up as the
// largest cost in a profile.
void EncodeKeyValue(std::string& out, std::uint32_t field, std::string_view key,
                    const AttributeValue& value) {
  std::size_t any_len = 0;
  std::uint64_t int_bits = 0;
  std::string_view str;
  switch (value.index()) {
    case 0:  // string: tag + length + bytes
      str = std::get<std::string_view>(value);
      any_len = 1 + wire::VarintSize(str.size()) + str.size();
      break;
    case 1:  // int64 as varint
      int_bits = static_cast<std::uint64_t>(std::get<std::int64_t>(value));
      any_len = 1 + wire::VarintSize(int_bits);
      break;
    case 2:  // double as fixed64
      any_len = 9;
      break;
    default:  // bool
      any_len = 2;
      break;
  }
  const std::size_t kv_len =
      1 + wire::VarintSize(key.size()) + key.size() + 1 + wire::VarintSize(any_len) + any_len;
  const std::uint64_t tag = static_cast<std::uint64_t>(field) << 3 | 2;
  const std::size_t total = wire::VarintSize(tag) + wire::VarintSize(kv_len) + kv_len;
  const std::size_t at = out.size();
  out.resize(at + total);
  char* p = out.data() + at;
  p = wire::PutVarint(p, tag);
  p = wire::PutVarint(p, kv_len);
  *p++ = static_cast<char>(f::kKeyValueKey << 3 | 2);
  p = wire::PutVarint(p, key.size());
  std::memcpy(p, key.data(), key.size());
  p += key.size();
  *p++ = static_cast<char>(f::kKeyValueValue << 3 | 2);
  p = wire::PutVarint(p, any_len);
  switch (value.index()) {
    case 0:
      *p++ = static_cast<char>(f::kAnyString << 3 | 2);
      p = wire::PutVarint(p, str.size());
      std::memcpy(p, str.data(), str.size());
      break;
    case 1:
      *p++ = static_cast<char>(f::kAnyInt << 3 | 0);
      wire::PutVarint(p, int_bits);
      break;
    case 2: {
      *p++ = static_cast<char>(f::kAnyDouble << 3 | 1);
      const double d = std::get<double>(value);
      std::memcpy(p, &d, 8);
      break;
    }
    default:
      *p++ = static_cast<char>(f::kAnyBool << 3 | 0);
      *p = std::get<bool>(value) ? 1 : 0;
      break;
  }
}

std::string_view IdBytes(const auto& id) {
  return std::string_view(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size());
}

}  // namespace

std::uint64_t UnixNowNs() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

TraceId NewTraceId() {
  TraceId id;
  do {
    std::uint64_t a = Rng()(), b = Rng()();
    std::memcpy(id.bytes.data(), &a, 8);
    std::memcpy(id.bytes.data() + 8, &b, 8);
  } while (!id.IsValid());
  return id;
}

SpanId NewSpanId() {
  SpanId id;
  do {
    std::uint64_t a = Rng()();
    std::memcpy(id.bytes.data(), &a, 8);
  } while (!id.IsValid());
  return id;
}

Span::Span(Span&& o) noexcept { *this = std::move(o); }

Span& Span::operator=(Span&& o) noexcept {
  if (this != &o) {
    if (!ended_ && processor_) End();
    context_ = std::move(o.context_);
    parent_span_id_ = o.parent_span_id_;
    processor_ = o.processor_;
    clock_offset_ns_ = o.clock_offset_ns_;
    start_ns_ = o.start_ns_;
    status_ = o.status_;
    status_message_ = std::move(o.status_message_);
    encoded_ = std::move(o.encoded_);
    ended_ = o.ended_;
    o.processor_ = nullptr;
    o.ended_ = true;
  }
  return *this;
}

Span::~Span() {
  if (!ended_) End();
}

void Span::SetAttribute(std::string_view key, std::string_view value) {
  if (processor_) EncodeKeyValue(encoded_, f::kAttributes, key, value);
}
void Span::SetAttribute(std::string_view key, std::int64_t value) {
  if (processor_) EncodeKeyValue(encoded_, f::kAttributes, key, value);
}
void Span::SetAttribute(std::string_view key, double value) {
  if (processor_) EncodeKeyValue(encoded_, f::kAttributes, key, value);
}
void Span::SetAttribute(std::string_view key, bool value) {
  if (processor_) EncodeKeyValue(encoded_, f::kAttributes, key, value);
}

void Span::AddEvent(std::string_view name, std::uint64_t time_unix_ns,
                    std::initializer_list<Attribute> attributes) {
  if (!processor_) return;
  wire::NestedField(encoded_, f::kEvents, [&](std::string& o) {
    wire::Fixed64Field(o, f::kEventTime,
                       (time_unix_ns ? time_unix_ns : UnixNowNs()) + clock_offset_ns_);
    wire::BytesField(o, f::kEventName, name);
    for (const auto& a : attributes) EncodeKeyValue(o, f::kEventAttributes, a.key, a.value);
  });
}

void Span::AddLink(const SpanContext& linked, std::initializer_list<Attribute> attributes) {
  if (!processor_ || !linked.IsValid()) return;
  wire::NestedField(encoded_, f::kLinks, [&](std::string& o) {
    wire::BytesField(o, f::kLinkTraceId, IdBytes(linked.trace_id));
    wire::BytesField(o, f::kLinkSpanId, IdBytes(linked.span_id));
    if (!linked.trace_state.empty()) wire::BytesField(o, f::kLinkTraceState, linked.trace_state);
    for (const auto& a : attributes) EncodeKeyValue(o, f::kLinkAttributes, a.key, a.value);
    wire::Fixed32Field(o, f::kLinkFlags,
                       linked.trace_flags | kHasIsRemoteMask |
                           (linked.is_remote ? kIsRemoteMask : 0));
  });
}

void Span::SetStatus(StatusCode code, std::string_view message) {
  // Per the API spec: OK is final, and a description only goes with ERROR.
  if (status_ == StatusCode::kOk) return;
  status_ = code;
  status_message_ = code == StatusCode::kError ? std::string(message) : std::string();
}

void Span::End(std::uint64_t end_unix_ns) {
  if (ended_) return;
  ended_ = true;
  if (!processor_) return;
  wire::Fixed64Field(encoded_, f::kEnd, (end_unix_ns ? end_unix_ns : UnixNowNs()) + clock_offset_ns_);
  if (status_ != StatusCode::kUnset) {
    wire::NestedField(encoded_, f::kStatus, [&](std::string& o) {
      if (!status_message_.empty()) wire::BytesField(o, f::kStatusMessage, status_message_);
      wire::VarintField(o, f::kStatusCode, static_cast<std::uint64_t>(status_));
    });
  }
  SpanProcessor* processor = processor_;
  processor_ = nullptr;
  processor->OnEnd(FinishedSpan{context_, parent_span_id_, std::move(encoded_)});
}

Tracer::Tracer(TracerOptions options) : options_(std::move(options)) {
  if (!options_.sampler) options_.sampler = MakeSampler(SamplerConfig{});
}

Span Tracer::StartSpan(std::string_view name, SpanKind kind,
                       const std::optional<SpanContext>& parent,
                       std::uint64_t start_unix_ns) const {
  Span span;
  const bool has_parent = parent && parent->IsValid();
  span.context_.trace_id = has_parent ? parent->trace_id : NewTraceId();
  span.context_.span_id = NewSpanId();
  if (has_parent) {
    span.parent_span_id_ = parent->span_id;
    span.context_.trace_state = parent->trace_state;
  }
  const bool sampled = options_.sampler
                           ->ShouldSample(has_parent ? parent : std::nullopt,
                                          span.context_.trace_id, name, kind)
                           .sampled;
  span.context_.trace_flags = sampled ? 0x01 : 0x00;
  span.clock_offset_ns_ = options_.clock_offset_ns;
  span.start_ns_ = (start_unix_ns ? start_unix_ns : UnixNowNs()) + options_.clock_offset_ns;
  if (!sampled || !options_.processor) {
    span.ended_ = false;  // nothing to export; End() is a no-op
    return span;
  }
  span.processor_ = options_.processor;
  std::string& e = span.encoded_;
  e.reserve(256 + name.size());
  wire::BytesField(e, f::kTraceId, IdBytes(span.context_.trace_id));
  wire::BytesField(e, f::kSpanId, IdBytes(span.context_.span_id));
  if (!span.context_.trace_state.empty()) wire::BytesField(e, f::kTraceState, span.context_.trace_state);
  if (has_parent) wire::BytesField(e, f::kParentSpanId, IdBytes(parent->span_id));
  wire::BytesField(e, f::kName, name);
  wire::VarintField(e, f::kKind, static_cast<std::uint64_t>(kind));
  wire::Fixed64Field(e, f::kStart, span.start_ns_);
  wire::Fixed32Field(e, f::kFlags,
                     span.context_.trace_flags | kHasIsRemoteMask |
                         (has_parent && parent->is_remote ? kIsRemoteMask : 0));
  return span;
}

}  // namespace traceproof
