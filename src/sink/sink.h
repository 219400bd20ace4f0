// The embedded OTLP sink: the OTLP/gRPC and OTLP/HTTP receivers with their limits (and TLS and
// required headers when asked), the ingest
// counters they share and, when asked, the forwarder that passes every accepted request on to
// another OTLP/gRPC endpoint. `traceproof run`, `traceproof sink` and every benchmark make
// theirs here, so none assembles receivers by hand. What keeps the spans (a TraceStore, a test
// double) is the caller's SpanConsumer and must outlive the sink. MakeSink, Stop and the
// destructor from one owning thread; ports, counters() and forwarder_stats() from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "receiver/ingest.h"
#include "receiver/limits.h"
#include "receiver/otlp_forwarder.h"
#include "receiver/tls.h"
#include "store/span_consumer.h"

namespace traceproof {

struct ListenAddress {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: a free port, read back from the sink
};

struct SinkOptions {
  std::optional<ListenAddress> grpc = ListenAddress{};  // nullopt: no OTLP/gRPC receiver
  std::optional<ListenAddress> http = ListenAddress{};  // nullopt: no OTLP/HTTP receiver
  int http_threads = 1;
  ReceiverLimits limits;
  // Both receivers over TLS (receiver/tls.h); nullopt: plain text.
  std::optional<ReceiverTls> tls;
  // Every request the consumer accepted is passed on to forward->endpoint; nullopt: none.
  std::optional<ForwarderOptions> forward;
  // How long Stop() keeps sending what is still queued for the forward endpoint.
  std::chrono::milliseconds forward_drain_timeout{5000};
};

// Why MakeSink returned nullptr: which receiver did not start, in the receiver's own words
// (they name the address).
struct SinkStartError {
  std::string receiver;  // "OTLP/gRPC" or "OTLP/HTTP"
  std::string reason;    // e.g. "cannot listen for OTLP/gRPC on 127.0.0.1:4317 (...)"
  // "embedded sink (OTLP/gRPC) did not start: cannot listen for OTLP/gRPC on ..."
  std::string Message() const;
};

class Sink {
 public:
  virtual ~Sink() = default;                    // Stop()
  virtual std::uint16_t grpc_port() const = 0;  // 0 when off
  virtual std::uint16_t http_port() const = 0;  // 0 when off
  virtual const IngestCounters& counters() const = 0;
  // With SinkOptions::forward: what was passed on, failed or dropped (final after Stop).
  virtual std::optional<ForwarderStats> forwarder_stats() const = 0;
  // Stops the receivers (in-flight requests finish), then sends what is still queued for the
  // forward endpoint for at most forward_drain_timeout. Idempotent.
  virtual void Stop() = 0;
};

// nullptr with `error` set when a receiver cannot start (busy port, bad address) or both are
// off; a receiver already started is stopped again, so nothing is left listening.
std::unique_ptr<Sink> MakeSink(const SinkOptions& options, SpanConsumer& consumer,
                               SinkStartError& error);
// The same, with error = SinkStartError::Message().
std::unique_ptr<Sink> MakeSink(const SinkOptions& options, SpanConsumer& consumer,
                               std::string& error);

}  // namespace traceproof
