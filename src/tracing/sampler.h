// Head samplers as the OpenTelemetry SDK spec defines them: always_on, always_off,
// traceidratio, and parentbased_{always_on,always_off,traceidratio}, configurable like the SDKs
// through OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG. traceidratio looks at the low 8 bytes of
// the trace id (as the Python and Go SDKs do), so the same trace id gets the same decision in
// every service and in our ground truth. Thread-safe: ShouldSample may be called concurrently.
#pragma once

#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "otlp/span_view.h"
#include "tracing/span_context.h"

namespace traceproof {

struct SamplingResult {
  bool sampled = false;  // record and export; false means drop (non-recording)
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  // `parent` is the parent's context when there is a valid one (local or remote).
  virtual SamplingResult ShouldSample(const std::optional<SpanContext>& parent,
                                      const TraceId& trace_id, std::string_view name,
                                      SpanKind kind) const = 0;
  // e.g. "ParentBased{root:TraceIdRatioBased{0.250000}}"
  virtual std::string Description() const = 0;
};

struct SamplerConfig {
  std::string name = "parentbased_always_on";  // OTEL_TRACES_SAMPLER values
  std::optional<std::string> arg;              // OTEL_TRACES_SAMPLER_ARG (ratio in [0, 1])
};

// Throws std::invalid_argument naming the bad value (config edge: env or scenario file).
std::unique_ptr<Sampler> MakeSampler(const SamplerConfig& config);
// Reads OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG through `getenv` (injectable for tests);
// unset means parentbased_always_on, as the SDK spec says.
SamplerConfig SamplerConfigFromEnv(
    const std::function<const char*(const char*)>& getenv = [](const char* n) {
      return std::getenv(n);
    });

}  // namespace traceproof
