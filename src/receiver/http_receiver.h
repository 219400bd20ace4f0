// The OTLP/HTTP receiver: a Boost.Beast server on its own io_context and threads that reads
// requests (with the body limit and idle timeout set where the request is read) and answers
// them with HandleOtlpHttp. One session object per connection owns its socket and buffer.
// With TLS each session handshakes before its first read (receiver/tls.h).
// Start() binds synchronously, so a busy port is an error the caller sees at once; port 0 binds
// a free port, readable from port(). Start/Stop from one owning thread; the receiver's own
// threads call the consumer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "receiver/ingest.h"
#include "receiver/limits.h"
#include "receiver/tls.h"

namespace traceproof {

struct HttpReceiverOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 4318;
  int threads = 1;
  ReceiverLimits limits;
  // HTTPS: every connection handshakes first; one that does not (plain text, no or an
  // untrusted client certificate) is closed and counted as tls_handshake. nullopt: plain HTTP.
  std::optional<ReceiverTls> tls;
};

class HttpReceiver {
 public:
  virtual ~HttpReceiver() = default;
  virtual std::uint16_t port() const = 0;
  virtual void Stop() = 0;  // idempotent; joins the receiver's threads
};

// nullptr and `error` set when the address cannot be bound.
std::unique_ptr<HttpReceiver> StartHttpReceiver(const HttpReceiverOptions& options,
                                                SpanConsumer& consumer, IngestCounters& counters,
                                                std::string& error);

}  // namespace traceproof
