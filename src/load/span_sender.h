// Span load: synthetic OTLP export requests sent as fast as the receiver answers, over
// OTLP/gRPC or OTLP/HTTP protobuf, from `connections` share-nothing threads (one connection
// each, keep-alive), like telemetrygen. Used by `bench ingest` from a separate process, later by
// the scenario runner's span-load mode. Errors are counted by kind, never folded together.
// RunSpanSender blocks for the duration; not meant to be called concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "load/synthetic_spans.h"
#include "tracing/client_tls.h"

namespace traceproof {

enum class OtlpProtocol { kGrpc, kHttpProtobuf };

struct SpanSenderOptions {
  OtlpProtocol protocol = OtlpProtocol::kGrpc;
  std::string host = "127.0.0.1";
  std::uint16_t port = 4317;
  std::string path = "/v1/traces";                           // OTLP/HTTP's request target
  std::optional<ClientTls> tls;                              // nullopt: plain text
  std::vector<std::pair<std::string, std::string>> headers;  // on every request
  bool gzip = false;
  int connections = 2;
  double seconds = 5;
  SyntheticSpanOptions batch;  // its seed is replaced by one drawn from `seed`
  // Where every connection's trace and span ids come from. nullopt: a seed of this sender's
  // own (DrawSeed, load/id_seed.h), so two senders never collide; a value repeats the ids.
  std::optional<std::uint64_t> seed;
};

struct SpanSenderStats {
  std::uint64_t requests_ok = 0;
  std::uint64_t spans_ok = 0;
  std::uint64_t connect_errors = 0;  // TLS handshakes that failed included
  std::uint64_t status_errors = 0;   // non-2xx / non-OK answers
  std::uint64_t io_errors = 0;       // reset, timeout, broken pipe
  double seconds = 0;
  std::uint64_t seed = 0;  // the one the ids were drawn from
  std::string error;       // why nothing could be sent (a TLS setting), when that is known
};

SpanSenderStats RunSpanSender(const SpanSenderOptions& options);

}  // namespace traceproof
