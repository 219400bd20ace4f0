#include "tracing/sampler.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace traceproof {
namespace {

constexpr char kValidNames[] =
    "always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, "
    "parentbased_traceidratio";

std::string ToLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

class AlwaysOnSampler final : public Sampler {
 public:
  SamplingResult ShouldSample(const std::optional<SpanContext>& /*parent*/,
                              const TraceId& /*trace_id*/, std::string_view /*name*/,
                              SpanKind /*kind*/) const override {
    return {.sampled = true};
  }
  std::string Description() const override { return "AlwaysOnSampler"; }
};

class AlwaysOffSampler final : public Sampler {
 public:
  SamplingResult ShouldSample(const std::optional<SpanContext>& /*parent*/,
                              const TraceId& /*trace_id*/, std::string_view /*name*/,
                              SpanKind /*kind*/) const override {
    return {.sampled = false};
  }
  std::string Description() const override { return "AlwaysOffSampler"; }
};

// Mirrors the Python SDK's TraceIdRatioBased: bound = round(ratio * 2^64) and a trace is sampled
// iff its low 8 bytes, read big-endian, are below the bound. Every service using this rule
// agrees on every trace id, which is what lets checks predict the sampled set.
class TraceIdRatioBasedSampler final : public Sampler {
 public:
  explicit TraceIdRatioBasedSampler(double ratio) : ratio_(ratio) {
    // ratio * 2^64 is exact in a double; only the bound 2^64 itself (ratio 1) does not fit in
    // a uint64, so that case is a flag. nearbyint rounds half to even, like Python's round().
    sample_all_ = ratio >= 1.0;
    if (!sample_all_) bound_ = static_cast<std::uint64_t>(std::nearbyint(std::ldexp(ratio, 64)));
  }

  SamplingResult ShouldSample(const std::optional<SpanContext>& /*parent*/, const TraceId& trace_id,
                              std::string_view /*name*/, SpanKind /*kind*/) const override {
    if (sample_all_) return {.sampled = true};
    std::uint64_t low = 0;
    for (std::size_t i = 8; i < TraceId::kSize; ++i) low = low << 8 | trace_id.bytes[i];
    return {.sampled = low < bound_};
  }

  std::string Description() const override {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "TraceIdRatioBased{%f}", ratio_);
    return buffer;
  }

 private:
  double ratio_;
  bool sample_all_ = false;
  std::uint64_t bound_ = 0;
};

// The SDK's default ParentBased: follow the parent's sampled flag whether it is remote or
// local; only a root span asks `root`.
class ParentBasedSampler final : public Sampler {
 public:
  explicit ParentBasedSampler(std::unique_ptr<Sampler> root) : root_(std::move(root)) {}

  SamplingResult ShouldSample(const std::optional<SpanContext>& parent, const TraceId& trace_id,
                              std::string_view name, SpanKind kind) const override {
    // The default delegates for remote and local parents alike: sampled parent -> AlwaysOn,
    // unsampled parent -> AlwaysOff.
    if (parent && parent->IsValid()) return {.sampled = parent->sampled()};
    return root_->ShouldSample(parent, trace_id, name, kind);
  }

  std::string Description() const override {
    return "ParentBased{root:" + root_->Description() + "}";
  }

 private:
  std::unique_ptr<Sampler> root_;
};

// OTEL_TRACES_SAMPLER_ARG for the ratio samplers; unset means 1.0 as the SDK spec says.
double ParseRatio(const std::optional<std::string>& arg) {
  if (!arg) return 1.0;
  const std::string& text = *arg;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  // Surrounding whitespace is tolerated, as the SDKs' number parsers do.
  while (begin != end && std::isspace(static_cast<unsigned char>(*begin))) ++begin;
  while (begin != end && std::isspace(static_cast<unsigned char>(end[-1]))) --end;
  double ratio = 0;
  auto [ptr, ec] = std::from_chars(begin, end, ratio);
  // The negated comparison also rejects NaN.
  if (begin == end || ec != std::errc() || ptr != end || !(ratio >= 0.0 && ratio <= 1.0)) {
    throw std::invalid_argument("OTEL_TRACES_SAMPLER_ARG '" + text + "' is not a number in [0, 1]");
  }
  return ratio;
}

}  // namespace

std::unique_ptr<Sampler> MakeSampler(const SamplerConfig& config) {
  const std::string name = ToLower(config.name);
  if (name == "always_on") return std::make_unique<AlwaysOnSampler>();
  if (name == "always_off") return std::make_unique<AlwaysOffSampler>();
  if (name == "traceidratio") {
    return std::make_unique<TraceIdRatioBasedSampler>(ParseRatio(config.arg));
  }
  if (name == "parentbased_always_on") {
    return std::make_unique<ParentBasedSampler>(std::make_unique<AlwaysOnSampler>());
  }
  if (name == "parentbased_always_off") {
    return std::make_unique<ParentBasedSampler>(std::make_unique<AlwaysOffSampler>());
  }
  if (name == "parentbased_traceidratio") {
    return std::make_unique<ParentBasedSampler>(
        std::make_unique<TraceIdRatioBasedSampler>(ParseRatio(config.arg)));
  }
  throw std::invalid_argument("OTEL_TRACES_SAMPLER '" + config.name + "' is not one of " +
                              kValidNames);
}

SamplerConfig SamplerConfigFromEnv(const std::function<const char*(const char*)>& getenv) {
  SamplerConfig config;
  const char* name = getenv("OTEL_TRACES_SAMPLER");
  if (name != nullptr && *name != '\0') config.name = ToLower(name);
  const char* arg = getenv("OTEL_TRACES_SAMPLER_ARG");
  if (arg != nullptr && *arg != '\0') config.arg = arg;
  return config;
}

}  // namespace traceproof
