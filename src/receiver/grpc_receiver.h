// The OTLP/gRPC receiver: opentelemetry.proto.collector.trace.v1.TraceService/Export on a gRPC
// server. The method is registered "raw" (ByteBuffer in, ByteBuffer out) so the request bytes
// go to the same lazy decoder as OTLP/HTTP instead of being parsed into messages by gRPC.
// A call without a required header (ReceiverLimits::required_headers) answers UNAUTHENTICATED
// before its bytes are decoded; malformed requests answer INVALID_ARGUMENT naming the field; a
// full store answers RESOURCE_EXHAUSTED with google.rpc.RetryInfo. gzip is handled by gRPC
// itself. Start/Stop from one owning thread; gRPC's threads call the consumer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "receiver/ingest.h"
#include "receiver/limits.h"
#include "receiver/tls.h"

namespace traceproof {

struct GrpcReceiverOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 4317;
  ReceiverLimits limits;
  // gRPC over TLS (1.2+; a client certificate required when client_ca_pem is set). gRPC refuses
  // a plain-text client in its transport, before any call: such refusals are not counted.
  // nullopt: plain text.
  std::optional<ReceiverTls> tls;
};

class GrpcReceiver {
 public:
  virtual ~GrpcReceiver() = default;
  virtual std::uint16_t port() const = 0;
  virtual void Stop() = 0;  // idempotent; waits for in-flight calls
};

std::unique_ptr<GrpcReceiver> StartGrpcReceiver(const GrpcReceiverOptions& options,
                                                SpanConsumer& consumer, IngestCounters& counters,
                                                std::string& error);

}  // namespace traceproof
