// Realistic synthetic OTLP export requests, like telemetrygen's: traces of a few spans from a
// handful of services, each span with `attributes_per_span` semantic-convention attributes
// (~400 bytes per span at 10 attributes). Used by `bench ingest`, the fuzz seed corpus and tests,
// and later by the span-load mode. Deterministic for a given seed. Thread-safe (pure).
#pragma once

#include <cstdint>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace traceproof {

struct SyntheticSpanOptions {
  int spans = 512;
  int spans_per_trace = 8;
  int attributes_per_span = 10;
  std::uint64_t seed = 1;
  std::uint64_t start_unix_ns = 1'700'000'000'000'000'000ull;
};

opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest MakeSyntheticRequest(
    const SyntheticSpanOptions& options);

}  // namespace traceproof
