// The sink as the harness runs it, for the exporter tests: a TraceStore behind the real OTLP/HTTP
// or OTLP/gRPC receiver on a free loopback port, plain or over TLS, with the limits a test
// asks for. Used from the test's thread; the receiver's own threads feed the store.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "receiver/grpc_receiver.h"
#include "receiver/http_receiver.h"
#include "store/trace_store.h"

namespace traceproof::testing {

enum class Transport { kHttp, kGrpc };

class ReceiverUnderTest {
 public:
  explicit ReceiverUnderTest(Transport transport, TraceStoreOptions store_options = {},
                             ReceiverLimits limits = {}, std::optional<ReceiverTls> tls = {})
      : store_(store_options) {
    std::string error;
    if (transport == Transport::kHttp) {
      HttpReceiverOptions o;
      o.port = 0;
      o.limits = limits;
      o.tls = tls;
      http_ = StartHttpReceiver(o, store_, counters_, error);
      if (http_) port_ = http_->port();
    } else {
      GrpcReceiverOptions o;
      o.port = 0;
      o.limits = limits;
      o.tls = tls;
      grpc_ = StartGrpcReceiver(o, store_, counters_, error);
      if (grpc_) port_ = grpc_->port();
    }
    EXPECT_NE(port_, 0) << error;
  }
  ~ReceiverUnderTest() {
    if (http_) http_->Stop();
    if (grpc_) grpc_->Stop();
  }
  ReceiverUnderTest(const ReceiverUnderTest&) = delete;
  ReceiverUnderTest& operator=(const ReceiverUnderTest&) = delete;

  std::uint16_t port() const { return port_; }
  TraceStore& store() { return store_; }
  const IngestCounters& counters() const { return counters_; }

 private:
  TraceStore store_;
  IngestCounters counters_;
  std::unique_ptr<HttpReceiver> http_;
  std::unique_ptr<GrpcReceiver> grpc_;
  std::uint16_t port_ = 0;
};

}  // namespace traceproof::testing
