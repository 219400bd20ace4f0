// One OTLP trace export as both exporters send it: the ExportTraceServiceRequest bytes, framed
// around spans the tracer already encoded (no libprotobuf on this path: a batch of 512 spans is
// one allocation and a few memcpys), the server's answer (partial_success, google.rpc.Status,
// RetryInfo), and the OTLP retry policy that decides whether and when to send it again. Shared
// by otlp_grpc_exporter.cc and otlp_http_exporter.cc so both transports retry alike.
// The functions are pure and thread-safe; an ExportRetrier belongs to one exporter.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tracing/finished_span.h"
#include "tracing/otlp_exporter_options.h"
#include "tracing/resource.h"
#include "tracing/span_exporter.h"

namespace traceproof {

// Serialized opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest with one
// ResourceSpans{resource, ScopeSpans{scope, spans}}.
std::string BuildExportRequest(const ResourceInfo& resource,
                               const std::vector<FinishedSpan>& spans);
// The same, appended to `out` (whose capacity a caller may reuse between batches).
void AppendExportRequest(const ResourceInfo& resource, const std::vector<FinishedSpan>& spans,
                         std::string& out);

// ExportTraceServiceResponse.partial_success; empty bytes are a full success.
struct PartialSuccess {
  std::uint64_t rejected_spans = 0;
  std::string error_message;
};
std::optional<PartialSuccess> ParseExportResponse(std::string_view bytes);  // nullopt: malformed

// From a serialized google.rpc.Status: its message, and the retry_delay of a
// google.rpc.RetryInfo among its details (nullopt when there is none or the bytes are malformed).
std::string RpcStatusMessage(std::string_view status_bytes);
std::optional<std::chrono::milliseconds> RetryInfoDelay(std::string_view status_bytes);

// Runs attempts of one export under OtlpExporterOptions' budget: retries only kRetryable
// outcomes, waits the server's retry_after when given, else exponential backoff (doubling from
// initial_backoff, ±20% jitter, capped at max_backoff), stops after max_attempts or when the
// next attempt could not start before the timeout. Run is called from one thread at a time;
// Shutdown from any thread.
class ExportRetrier {
 public:
  using Clock = std::chrono::steady_clock;
  // One try: gets the export's overall deadline, returns what the server (or the network) said.
  using Attempt = std::function<ExportResult(Clock::time_point deadline)>;

  ExportRetrier(const OtlpExporterOptions& options, OtlpExporterCounters& counters);

  ExportResult Run(const Attempt& attempt);
  void Shutdown();  // ends a backoff wait at once; later Runs fail without an attempt
  bool is_shutdown() const;

 private:
  std::chrono::milliseconds NextBackoff(int retry);  // retry = 1 for the first retry
  bool SleepUntil(Clock::time_point until);          // false: shut down meanwhile

  const std::chrono::milliseconds timeout_;
  const int max_attempts_;
  const std::chrono::milliseconds initial_backoff_, max_backoff_;
  OtlpExporterCounters& counters_;
  std::minstd_rand rng_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool shutdown_ = false;
};

}  // namespace traceproof
