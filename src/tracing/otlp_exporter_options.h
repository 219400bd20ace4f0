// What the OTLP/gRPC and OTLP/HTTP exporters share: their options (endpoint, TLS, resource, the
// retry budget, the headers a sink requires) and the counters they keep. The mock services make one
// exporter per service through MakeOtlpGrpcExporter / MakeOtlpHttpExporter; tests read the counters
// to see how many attempts an export took. Options are plain data; counters are atomics, readable
// from any thread while the processor's worker exports.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tracing/client_tls.h"
#include "tracing/resource.h"
#include "tracing/span_exporter.h"

namespace traceproof {

struct OtlpExporterOptions {
  std::string endpoint;             // host:port ("[::1]:4317" for IPv6); no scheme, no path
  std::string path = "/v1/traces";  // OTLP/HTTP's request target
  std::optional<ClientTls> tls;     // nullopt: plain text
  ResourceInfo resource;
  std::chrono::milliseconds timeout{10000};  // one Export, retries and backoff included
  int max_attempts = 5;                      // first try included
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  bool gzip = false;
  // Sent with every export: gRPC metadata or HTTP header fields (names in lower case, as gRPC
  // wants them). A sink with `require_headers` refuses exports without them.
  std::vector<std::pair<std::string, std::string>> headers;
};

// Monotonic. attempts = requests tried (connection failures included); retries = attempts after
// the first of an Export; failed_exports = Export calls that did not end in kSuccess.
struct OtlpExporterCounters {
  std::atomic<std::uint64_t> attempts{0};
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> failed_exports{0};
};

// Export is called from one thread at a time. Shutdown may be called from any thread, also
// while Export runs: it cuts a backoff wait (and, where the transport allows, the request in
// flight) short so a processor's bounded shutdown stays bounded; later Exports fail at once.
class OtlpExporter : public SpanExporter {
 public:
  const OtlpExporterCounters& counters() const { return counters_; }

 protected:
  OtlpExporterCounters counters_;
};

}  // namespace traceproof
