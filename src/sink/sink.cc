#include "sink/sink.h"

#include "receiver/grpc_receiver.h"
#include "receiver/http_receiver.h"

namespace traceproof {
namespace {

constexpr char kGrpc[] = "OTLP/gRPC";
constexpr char kHttp[] = "OTLP/HTTP";

class ReceiverPair final : public Sink {
 public:
  ReceiverPair(const SinkOptions& options, SpanConsumer& consumer)
      : options_(options), consumer_(&consumer) {
    if (options_.forward) {
      forward_ = std::make_unique<ForwardingConsumer>(consumer, *options_.forward);
      consumer_ = forward_.get();
    }
  }
  ~ReceiverPair() override { Stop(); }

  bool Start(SinkStartError& error) {
    if (!options_.grpc && !options_.http) {
      error = {"", "both receivers are off"};
      return false;
    }
    // Checked before either starts: gRPC would take a bad key and fail every handshake.
    if (options_.tls && !TlsUsable(*options_.tls, error.reason)) return false;
    if (options_.grpc) {
      GrpcReceiverOptions o{options_.grpc->host, options_.grpc->port, options_.limits,
                            options_.tls};
      grpc_ = StartGrpcReceiver(o, *consumer_, counters_, error.reason);
      if (!grpc_) return Failed(kGrpc, error);
    }
    if (options_.http) {
      HttpReceiverOptions o{options_.http->host, options_.http->port, options_.http_threads,
                            options_.limits, options_.tls};
      http_ = StartHttpReceiver(o, *consumer_, counters_, error.reason);
      if (!http_) return Failed(kHttp, error);
    }
    return true;
  }

  std::uint16_t grpc_port() const override { return grpc_ ? grpc_->port() : 0; }
  std::uint16_t http_port() const override { return http_ ? http_->port() : 0; }
  const IngestCounters& counters() const override { return counters_; }
  std::optional<ForwarderStats> forwarder_stats() const override {
    if (!forward_) return std::nullopt;
    return forward_->stats();
  }

  void Stop() override {
    if (grpc_) grpc_->Stop();
    if (http_) http_->Stop();
    // The receivers are stopped, so nothing more arrives: give the backend a moment for the
    // rest (ForwardingConsumer::Stop is idempotent, and so is this).
    if (forward_) forward_->Stop(options_.forward_drain_timeout);
  }

 private:
  bool Failed(const char* receiver, SinkStartError& error) {
    error.receiver = receiver;
    Stop();  // a receiver that did start must not stay listening
    return false;
  }

  const SinkOptions options_;
  IngestCounters counters_;
  std::unique_ptr<ForwardingConsumer> forward_;  // outlives the receivers that call it
  SpanConsumer* consumer_;                       // forward_, or the caller's consumer
  std::unique_ptr<GrpcReceiver> grpc_;
  std::unique_ptr<HttpReceiver> http_;
};

}  // namespace

std::string SinkStartError::Message() const {
  if (receiver.empty()) return "embedded sink did not start: " + reason;
  return "embedded sink (" + receiver + ") did not start: " + reason;
}

std::unique_ptr<Sink> MakeSink(const SinkOptions& options, SpanConsumer& consumer,
                               SinkStartError& error) {
  auto sink = std::make_unique<ReceiverPair>(options, consumer);
  if (!sink->Start(error)) return nullptr;
  return sink;
}

std::unique_ptr<Sink> MakeSink(const SinkOptions& options, SpanConsumer& consumer,
                               std::string& error) {
  SinkStartError why;
  auto sink = MakeSink(options, consumer, why);
  if (!sink) error = why.Message();
  return sink;
}

}  // namespace traceproof
