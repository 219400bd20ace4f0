#include "tracing/export_request.h"

#include <algorithm>

#include "otlp/wire_reader.h"
#include "otlp/wire_writer.h"

namespace traceproof {
namespace {

// Field numbers of the messages framed or read here (opentelemetry-proto, googleapis).
constexpr std::uint32_t kRequestResourceSpans = 1;
constexpr std::uint32_t kResourceSpansResource = 1;
constexpr std::uint32_t kResourceSpansScopeSpans = 2;
constexpr std::uint32_t kScopeSpansScope = 1;
constexpr std::uint32_t kScopeSpansSpans = 2;
constexpr std::uint32_t kResponsePartialSuccess = 1;
constexpr std::uint32_t kPartialSuccessRejectedSpans = 1;
constexpr std::uint32_t kPartialSuccessErrorMessage = 2;
constexpr std::uint32_t kRpcStatusMessage = 2;
constexpr std::uint32_t kRpcStatusDetails = 3;
constexpr std::uint32_t kAnyTypeUrl = 1;
constexpr std::uint32_t kAnyValue = 2;
constexpr std::uint32_t kRetryInfoRetryDelay = 1;
constexpr std::uint32_t kDurationSeconds = 1;
constexpr std::uint32_t kDurationNanos = 2;

std::size_t VarintSize(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
// Size of a length-delimited field with a one-byte tag (fields 1..15).
std::size_t LenFieldSize(std::size_t body) { return 1 + VarintSize(body) + body; }

void LenPrefix(std::string& out, std::uint32_t field, std::size_t len) {
  wire::Tag(out, field, 2);
  wire::Varint(out, len);
}

// Calls `on_field(field, type, reader)` for each field of `bytes`; false when malformed.
template <typename OnField>
bool ForEachField(std::string_view bytes, OnField&& on_field) {
  WireReader r(bytes);
  while (!r.AtEnd()) {
    std::uint32_t field;
    WireType type;
    if (!r.ReadTag(field, type) || !on_field(field, type, r)) return false;
  }
  return true;
}

// Reads a length-delimited field's bytes into `out`, or skips a field of another wire type.
bool LenOrSkip(WireReader& r, WireType type, std::string_view& out) {
  return type == WireType::kLen ? r.ReadLen(out) : r.Skip(type);
}

std::optional<std::chrono::milliseconds> DurationMs(std::string_view bytes) {
  std::uint64_t seconds = 0, nanos = 0, other = 0;
  bool ok = ForEachField(bytes, [&](std::uint32_t field, WireType type, WireReader& r) {
    if (type != WireType::kVarint) return r.Skip(type);
    return r.ReadVarint(field == kDurationSeconds ? seconds
                        : field == kDurationNanos ? nanos
                                                  : other);
  });
  if (!ok) return std::nullopt;
  // Negative durations arrive as huge two's-complement varints: treat them as "now".
  auto s = static_cast<std::int64_t>(seconds);
  auto ns = static_cast<std::int64_t>(nanos);
  if (s < 0 || ns < 0) return std::chrono::milliseconds(0);
  s = std::min<std::int64_t>(s, 24 * 3600);  // an absurd delay must not overflow below
  return std::chrono::milliseconds(s * 1000 + (ns + 999'999) / 1'000'000);
}

}  // namespace

void AppendExportRequest(const ResourceInfo& resource, const std::vector<FinishedSpan>& spans,
                         std::string& out) {
  // Every length is known up front, so the buffer is sized once and no nested body has to be
  // shifted after its length prefix is written (NestedField's trick is for unknown lengths).
  std::size_t spans_size = 0;
  for (const FinishedSpan& s : spans) spans_size += LenFieldSize(s.encoded.size());
  const std::size_t scope_spans = LenFieldSize(resource.encoded_scope.size()) + spans_size;
  const std::size_t resource_spans =
      LenFieldSize(resource.encoded_resource.size()) + LenFieldSize(scope_spans);
  out.reserve(out.size() + LenFieldSize(resource_spans));

  LenPrefix(out, kRequestResourceSpans, resource_spans);
  wire::BytesField(out, kResourceSpansResource, resource.encoded_resource);
  LenPrefix(out, kResourceSpansScopeSpans, scope_spans);
  wire::BytesField(out, kScopeSpansScope, resource.encoded_scope);
  for (const FinishedSpan& s : spans) wire::BytesField(out, kScopeSpansSpans, s.encoded);
}

std::string BuildExportRequest(const ResourceInfo& resource,
                               const std::vector<FinishedSpan>& spans) {
  std::string out;
  AppendExportRequest(resource, spans, out);
  return out;
}

std::optional<PartialSuccess> ParseExportResponse(std::string_view bytes) {
  PartialSuccess result;
  bool ok = ForEachField(bytes, [&](std::uint32_t field, WireType type, WireReader& r) {
    std::string_view partial;
    if (!LenOrSkip(r, type, partial)) return false;
    if (field != kResponsePartialSuccess || type != WireType::kLen) return true;
    return ForEachField(partial, [&](std::uint32_t f, WireType t, WireReader& pr) {
      if (f == kPartialSuccessRejectedSpans && t == WireType::kVarint)
        return pr.ReadVarint(result.rejected_spans);
      std::string_view message;
      if (!LenOrSkip(pr, t, message)) return false;
      if (f == kPartialSuccessErrorMessage && t == WireType::kLen)
        result.error_message.assign(message);
      return true;
    });
  });
  if (!ok) return std::nullopt;
  return result;
}

std::string RpcStatusMessage(std::string_view status_bytes) {
  std::string message;
  ForEachField(status_bytes, [&](std::uint32_t field, WireType type, WireReader& r) {
    std::string_view s;
    if (!LenOrSkip(r, type, s)) return false;
    if (field == kRpcStatusMessage && type == WireType::kLen) message.assign(s);
    return true;
  });
  return message;
}

std::optional<std::chrono::milliseconds> RetryInfoDelay(std::string_view status_bytes) {
  std::optional<std::chrono::milliseconds> delay;
  bool ok = ForEachField(status_bytes, [&](std::uint32_t field, WireType type, WireReader& r) {
    std::string_view any;
    if (!LenOrSkip(r, type, any)) return false;
    if (field != kRpcStatusDetails || type != WireType::kLen) return true;
    std::string_view type_url, value;
    if (!ForEachField(any, [&](std::uint32_t f, WireType t, WireReader& ar) {
          std::string_view s;
          if (!LenOrSkip(ar, t, s)) return false;
          if (t == WireType::kLen && f == kAnyTypeUrl) type_url = s;
          if (t == WireType::kLen && f == kAnyValue) value = s;
          return true;
        }))
      return false;
    // Any's type_url is "<host>/<full message name>"; only the name is significant.
    if (type_url.substr(type_url.rfind('/') + 1) != "google.rpc.RetryInfo") return true;
    bool has_delay = false;
    std::string_view duration;
    if (!ForEachField(value, [&](std::uint32_t f, WireType t, WireReader& vr) {
          if (!LenOrSkip(vr, t, duration)) return false;
          has_delay |= f == kRetryInfoRetryDelay && t == WireType::kLen;
          return true;
        }))
      return false;
    // RetryInfo without retry_delay still says "retry"; it just leaves the delay to us.
    auto ms = has_delay ? DurationMs(duration) : std::chrono::milliseconds(0);
    if (!ms) return false;
    delay = ms;
    return true;
  });
  if (!ok) return std::nullopt;
  return delay;
}

ExportRetrier::ExportRetrier(const OtlpExporterOptions& options, OtlpExporterCounters& counters)
    : timeout_(options.timeout),
      max_attempts_(std::max(1, options.max_attempts)),
      initial_backoff_(std::max(options.initial_backoff, std::chrono::milliseconds(1))),
      max_backoff_(std::max(options.max_backoff, initial_backoff_)),
      counters_(counters),
      rng_(std::random_device{}()) {}

ExportResult ExportRetrier::Run(const Attempt& attempt) {
  const Clock::time_point deadline = Clock::now() + timeout_;
  ExportResult result;
  for (int n = 1;; ++n) {
    if (is_shutdown()) {
      result.kind = ExportResult::Kind::kFailed;
      result.message = "exporter is shut down";
      break;
    }
    counters_.attempts.fetch_add(1, std::memory_order_relaxed);
    if (n > 1) counters_.retries.fetch_add(1, std::memory_order_relaxed);
    result = attempt(deadline);
    if (result.kind != ExportResult::Kind::kRetryable) break;
    if (n >= max_attempts_) {
      result.message = "gave up after " + std::to_string(n) + " attempts: " + result.message;
      break;
    }
    // The server's delay wins over ours even when longer than max_backoff: it knows its load.
    const std::chrono::milliseconds delay = result.retry_after.value_or(NextBackoff(n));
    const Clock::time_point resume = Clock::now() + delay;
    if (resume >= deadline) {
      result.message =
          "gave up after " + std::to_string(n) +
          " attempts: the next would start after the export timeout: " + result.message;
      break;
    }
    if (!SleepUntil(resume)) {
      result.kind = ExportResult::Kind::kFailed;
      result.message = "exporter shut down while backing off: " + result.message;
      break;
    }
  }
  if (result.kind != ExportResult::Kind::kSuccess)
    counters_.failed_exports.fetch_add(1, std::memory_order_relaxed);
  return result;
}

void ExportRetrier::Shutdown() {
  {
    std::lock_guard lock(mu_);
    shutdown_ = true;
  }
  cv_.notify_all();
}

bool ExportRetrier::is_shutdown() const {
  std::lock_guard lock(mu_);
  return shutdown_;
}

std::chrono::milliseconds ExportRetrier::NextBackoff(int retry) {
  // Doubling stops at max_backoff, so the shift never overflows.
  std::chrono::milliseconds base = initial_backoff_;
  for (int i = 1; i < retry && base < max_backoff_; ++i) base *= 2;
  base = std::min(base, max_backoff_);
  // ±20% jitter so many services backing off from one outage do not return in lockstep.
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  auto ms =
      static_cast<std::chrono::milliseconds::rep>(static_cast<double>(base.count()) * jitter(rng_));
  return std::clamp(std::chrono::milliseconds(ms), std::chrono::milliseconds(1), max_backoff_);
}

bool ExportRetrier::SleepUntil(Clock::time_point until) {
  std::unique_lock lock(mu_);
  cv_.wait_until(lock, until, [&] { return shutdown_; });
  return !shutdown_;
}

}  // namespace traceproof
