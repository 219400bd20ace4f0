// traceproof's own tracer, used by the mock services. Written here because Debian ships no
// OpenTelemetry C++ SDK, and because the mock services must never be the bottleneck: a span
// encodes itself into OTLP protobuf bytes as attributes are set (wire_writer.h), so ending a
// span hands the processor finished bytes with no message objects built (target: start + 5
// attributes + end + enqueue ≤ 250 ns). Unsampled spans keep only their context, so
// propagation still works, and encode nothing.
//
// Tracer is thread-safe (immutable after construction); a Span belongs to the thread that
// uses it and is move-only.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "otlp/span_view.h"
#include "tracing/sampler.h"
#include "tracing/span_context.h"
#include "tracing/span_processor.h"

namespace traceproof {

using AttributeValue = std::variant<std::string_view, std::int64_t, double, bool>;
struct Attribute {
  std::string_view key;
  AttributeValue value;
};

std::uint64_t UnixNowNs();

class Span {
 public:
  Span(Span&& other) noexcept;
  Span& operator=(Span&& other) noexcept;
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;
  ~Span();  // ends the span if the caller did not

  const SpanContext& context() const { return context_; }
  const SpanId& parent_span_id() const { return parent_span_id_; }
  bool IsRecording() const { return processor_ != nullptr; }
  std::uint64_t start_unix_ns() const { return start_ns_; }

  void SetAttribute(std::string_view key, std::string_view value);
  void SetAttribute(std::string_view key, const char* value) {
    SetAttribute(key, std::string_view(value));
  }
  void SetAttribute(std::string_view key, std::int64_t value);
  void SetAttribute(std::string_view key, int value) {
    SetAttribute(key, static_cast<std::int64_t>(value));
  }
  void SetAttribute(std::string_view key, double value);
  void SetAttribute(std::string_view key, bool value);
  void AddEvent(std::string_view name, std::uint64_t time_unix_ns,
                std::initializer_list<Attribute> attributes = {});
  void AddLink(const SpanContext& linked, std::initializer_list<Attribute> attributes = {});
  void SetStatus(StatusCode code, std::string_view message = {});
  // 0 means now. Times are shifted by the tracer's clock offset, as a skewed host would.
  void End(std::uint64_t end_unix_ns = 0);

 private:
  friend class Tracer;
  Span() = default;

  SpanContext context_;
  SpanId parent_span_id_;
  SpanProcessor* processor_ = nullptr;  // null: not recording, or already ended
  std::int64_t clock_offset_ns_ = 0;
  std::uint64_t start_ns_ = 0;
  StatusCode status_ = StatusCode::kUnset;
  std::string status_message_;
  std::string encoded_;  // Span fields written so far
  bool ended_ = false;
};

struct TracerOptions {
  std::shared_ptr<const Sampler> sampler;  // default: parentbased_always_on
  SpanProcessor* processor = nullptr;      // not owned; null: nothing is exported
  std::int64_t clock_offset_ns = 0;        // the clock-skew fault: shifts every timestamp
};

class Tracer {
 public:
  explicit Tracer(TracerOptions options);

  // A root span when `parent` is nullopt or invalid; otherwise a child in the parent's trace,
  // carrying its tracestate. `start_unix_ns` 0 means now.
  Span StartSpan(std::string_view name, SpanKind kind, const std::optional<SpanContext>& parent,
                 std::uint64_t start_unix_ns = 0) const;

  const Sampler& sampler() const { return *options_.sampler; }

 private:
  TracerOptions options_;
};

// Random ids from a per-thread generator seeded by the OS: W3C asks for random trace ids, and
// a shared generator would put a lock on every span start.
TraceId NewTraceId();
SpanId NewSpanId();

}  // namespace traceproof
