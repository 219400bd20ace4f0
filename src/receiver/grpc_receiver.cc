#include "receiver/grpc_receiver.h"

#include <grpcpp/grpcpp.h>

#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "otlp/json.h"
#include "otlp/rpc_status.h"
#include "receiver/header_auth.h"

namespace traceproof {
namespace {

using opentelemetry::proto::collector::trace::v1::TraceService;

// gRPC keeps metadata keys in lower case, as the required names are.
bool Authenticated(const grpc::CallbackServerContext& context, const RequiredHeaders& required) {
  const auto& metadata = context.client_metadata();
  return HasRequiredHeaders(required, [&](std::string_view name, const auto& visit) {
    const auto [begin, end] = metadata.equal_range(grpc::string_ref(name.data(), name.size()));
    for (auto it = begin; it != end; ++it)
      if (visit(std::string_view(it->second.data(), it->second.size()))) return;
  });
}

class TraceServiceImpl final
    : public TraceService::WithRawCallbackMethod_Export<TraceService::Service> {
 public:
  TraceServiceImpl(SpanConsumer& consumer, IngestCounters& counters, ReceiverLimits limits)
      : consumer_(consumer), counters_(counters), limits_(limits) {}

  grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    counters_.requests.fetch_add(1, std::memory_order_relaxed);
    if (!limits_.required_headers.empty() && !Authenticated(*context, limits_.required_headers)) {
      counters_.RefuseRequest(RefusalReason::kUnauthenticated);
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, UnauthenticatedMessage()));
      return reactor;
    }
    auto bytes = std::make_shared<std::string>();
    std::vector<grpc::Slice> slices;
    if (!request->Dump(&slices).ok()) {
      counters_.RefuseRequest(RefusalReason::kMalformed);
      reactor->Finish(grpc::Status(grpc::StatusCode::INTERNAL, "could not read request"));
      return reactor;
    }
    bytes->reserve(request->Length());
    for (const auto& s : slices) bytes->append(reinterpret_cast<const char*>(s.begin()), s.size());

    IngestOutcome outcome = Ingest(std::move(bytes), consumer_, counters_);
    switch (outcome.kind) {
      case IngestOutcome::Kind::kMalformed:
        reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, outcome.message));
        return reactor;
      case IngestOutcome::Kind::kStoreFull:
        reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, outcome.message,
                                     RpcStatusProto(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                                    outcome.message, limits_.retry_after)));
        return reactor;
      case IngestOutcome::Kind::kOk:
        break;
    }
    std::string reply = ExportResponseProto(outcome.rejected_spans, outcome.message);
    grpc::Slice slice(reply);
    *response = grpc::ByteBuffer(&slice, 1);
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  // Names the headers, never their values.
  std::string UnauthenticatedMessage() const {
    return "this sink requires the header(s) " + RequiredHeaderNames(limits_.required_headers) +
           " with the configured value";
  }

  SpanConsumer& consumer_;
  IngestCounters& counters_;
  ReceiverLimits limits_;
};

std::shared_ptr<grpc::ServerCredentials> Credentials(const GrpcReceiverOptions& options) {
  if (!options.tls) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions ssl(
      options.tls->client_ca_pem.empty()
          ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
          : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  ssl.pem_root_certs = options.tls->client_ca_pem;
  ssl.pem_key_cert_pairs.push_back({options.tls->private_key_pem, options.tls->cert_chain_pem});
  return grpc::SslServerCredentials(ssl);
}

class GrpcReceiverImpl final : public GrpcReceiver {
 public:
  GrpcReceiverImpl(SpanConsumer& consumer, IngestCounters& counters, ReceiverLimits limits)
      : service_(consumer, counters, limits) {}
  ~GrpcReceiverImpl() override { Stop(); }

  bool Start(const GrpcReceiverOptions& options, std::string& error) {
    grpc::ServerBuilder builder;
    std::string address = options.host.find(':') != std::string::npos
                              ? "[" + options.host + "]:" + std::to_string(options.port)
                              : options.host + ":" + std::to_string(options.port);
    int selected = 0;
    builder.AddListeningPort(address, Credentials(options), &selected);
    builder.SetMaxReceiveMessageSize(static_cast<int>(options.limits.max_body_bytes));
    // Without this gRPC happily shares a port with another process (SO_REUSEPORT).
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    if (!server_ || selected == 0) {
      error = "cannot listen for OTLP/gRPC on " + address +
              " (address in use, or not a local address?)";
      server_.reset();
      return false;
    }
    port_ = static_cast<std::uint16_t>(selected);
    return true;
  }

  std::uint16_t port() const override { return port_; }
  void Stop() override {
    if (server_) {
      server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
      server_.reset();
    }
  }

 private:
  TraceServiceImpl service_;
  std::unique_ptr<grpc::Server> server_;
  std::uint16_t port_ = 0;
};

}  // namespace

std::unique_ptr<GrpcReceiver> StartGrpcReceiver(const GrpcReceiverOptions& options,
                                                SpanConsumer& consumer, IngestCounters& counters,
                                                std::string& error) {
  auto receiver = std::make_unique<GrpcReceiverImpl>(consumer, counters, options.limits);
  if (!receiver->Start(options, error)) return nullptr;
  return receiver;
}

}  // namespace traceproof
