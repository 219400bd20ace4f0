// Passes every OTLP export request the embedded sink accepted on to another OTLP/gRPC endpoint,
// byte for byte, so a tracing backend (Jaeger in Docker Compose) shows the very traces a run
// checks: `traceproof run --forward-to HOST:PORT`. A SpanConsumer decorator: the inner consumer
// (the trace store) decides; what it accepted is queued and sent by one worker thread, so a slow
// or absent backend never slows the sink. Every request is counted as forwarded, failed (after
// retries, with the last error) or dropped (queue full, or still queued at Stop): never silent.
// Thread-safe: receivers call Consume from their threads; Stop from the owning thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/span_consumer.h"
#include "tracing/client_tls.h"

namespace traceproof {

struct ForwarderOptions {
  std::string endpoint;                      // "HOST:PORT" of an OTLP/gRPC receiver
  std::size_t max_queued_requests = 4096;    // beyond this, requests are dropped and counted
  std::chrono::milliseconds timeout{10000};  // per attempt
  int max_attempts = 3;                      // retryable failures (UNAVAILABLE, ...) retried
  std::optional<ClientTls> tls;              // nullopt: plain text
  // Sent with every request (a backend's bearer token); names in lower case.
  std::vector<std::pair<std::string, std::string>> headers;
  bool gzip = false;  // gRPC message compression
};

struct ForwarderStats {
  std::string endpoint;
  std::uint64_t requests_forwarded = 0, spans_forwarded = 0;
  std::uint64_t requests_failed = 0, spans_failed = 0;    // the backend refused or was away
  std::uint64_t requests_dropped = 0, spans_dropped = 0;  // queue full, or unsent at Stop
  std::string last_error;                                 // of the last failure, if any
};

class ForwardingConsumer final : public SpanConsumer {
 public:
  ForwardingConsumer(SpanConsumer& inner, ForwarderOptions options);
  ~ForwardingConsumer() override;  // Stop(0)
  ForwardingConsumer(const ForwardingConsumer&) = delete;
  ForwardingConsumer& operator=(const ForwardingConsumer&) = delete;

  ConsumeResult Consume(SpanBatch batch) noexcept override;
  // Sends what is queued for at most `timeout`, then stops the worker; what is left is counted
  // as dropped. Idempotent.
  void Stop(std::chrono::milliseconds timeout);
  ForwarderStats stats() const;

 private:
  struct Item {
    std::shared_ptr<const std::string> bytes;
    std::uint64_t spans = 0;
  };
  void Work();
  bool Send(const Item& item);  // true when the backend took it

  SpanConsumer& inner_;
  const ForwarderOptions options_;
  struct Channel;  // gRPC, kept out of this header
  std::unique_ptr<Channel> channel_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_deadline_;
  ForwarderStats stats_;  // guarded by mu_
  std::thread worker_;
};

}  // namespace traceproof
