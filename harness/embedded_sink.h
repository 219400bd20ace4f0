// An OTLP sink inside the calling process, for benchmarks and runs that need somewhere to send
// spans and a count of what arrived: the same receivers and TraceStore `traceproof sink` runs,
// plus a thread that collects completed traces (counting them) so the store stays bounded over
// a long run. Start/Stop from one owning thread; the counters may be read from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "receiver/ingest.h"
#include "store/trace_store.h"

namespace traceproof {

struct EmbeddedSinkOptions {
  std::string host = "127.0.0.1";
  bool grpc = true;  // OTLP/gRPC receiver on a free port
  bool http = true;  // OTLP/HTTP receiver on a free port
  int http_threads = 1;
  std::chrono::milliseconds quiet_period{200};  // a trace is complete after this long quiet
  std::chrono::milliseconds collect_every{100};
};

class EmbeddedSink {
 public:
  virtual ~EmbeddedSink() = default;
  virtual std::uint16_t grpc_port() const = 0;  // 0 when off
  virtual std::uint16_t http_port() const = 0;  // 0 when off
  virtual const IngestCounters& counters() const = 0;
  virtual const TraceStoreCounters& store_counters() const = 0;
  virtual std::uint64_t traces_collected() const = 0;
  // Stops the receivers, then completes and collects every trace still open. Idempotent.
  virtual void Stop() = 0;
};

// nullptr with `error` set when a receiver cannot be bound.
std::unique_ptr<EmbeddedSink> StartEmbeddedSink(const EmbeddedSinkOptions& options,
                                                std::string& error);

}  // namespace traceproof
