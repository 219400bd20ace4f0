#include "tracing/otlp_grpc_exporter.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <future>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "tracing/client_tls.h"
#include "tracing/export_request.h"

namespace traceproof {
namespace {

constexpr char kExportMethod[] = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

// Hands the request buffer to gRPC without copying it; gRPC frees it with the last reference.
grpc::Slice OwningSlice(std::string bytes) {
  auto* owned = new std::string(std::move(bytes));
  return grpc::Slice(
      owned->data(), owned->size(), [](void* p) { delete static_cast<std::string*>(p); }, owned);
}

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

std::chrono::system_clock::time_point ToSystemClock(std::chrono::steady_clock::time_point t) {
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(
             t - std::chrono::steady_clock::now());
}

class OtlpGrpcExporter final : public OtlpExporter {
 public:
  explicit OtlpGrpcExporter(const OtlpExporterOptions& options)
      : options_(options), retrier_(options, counters_) {
    grpc::ChannelArguments args;
    // Each exporter stands for one service process: its own connection, not one shared by
    // every channel with equal arguments.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetMaxSendMessageSize(-1);
    // Retries are ours (counted, OTLP's retryable set); gRPC's own would hide attempts.
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
    // gRPC's default reconnect backoff grows to 120 s, which would outlast a short sink outage
    // by minutes; keep it within our own backoff bounds.
    const int initial_ms =
        static_cast<int>(std::max<std::int64_t>(1, options.initial_backoff.count()));
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, initial_ms);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, initial_ms);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
                static_cast<int>(std::max<std::int64_t>(initial_ms, options.max_backoff.count())));
    channel_ = MakeOtlpGrpcChannel(options.endpoint, options.tls, args);
    stub_ = std::make_unique<grpc::GenericStub>(channel_);
  }
  ~OtlpGrpcExporter() override { Shutdown(); }

  ExportResult Export(const std::vector<FinishedSpan>& batch) noexcept override {
    if (batch.empty()) return {};
    try {
      grpc::Slice slice = OwningSlice(BuildExportRequest(options_.resource, batch));
      // Retries resend the same buffer: a ByteBuffer copy only takes a reference.
      const grpc::ByteBuffer request(&slice, 1);
      return retrier_.Run(
          [&](ExportRetrier::Clock::time_point deadline) { return Attempt(request, deadline); });
    } catch (const std::exception& e) {
      counters_.failed_exports.fetch_add(1, std::memory_order_relaxed);
      ExportResult r;
      r.kind = ExportResult::Kind::kFailed;
      r.message = std::string("OTLP/gRPC export: ") + e.what();
      return r;
    }
  }

  void Shutdown() noexcept override {
    retrier_.Shutdown();
    std::lock_guard lock(call_mu_);
    if (active_call_ != nullptr) active_call_->TryCancel();
  }

 private:
  ExportResult Attempt(const grpc::ByteBuffer& request, ExportRetrier::Clock::time_point deadline) {
    grpc::ClientContext context;
    context.set_deadline(ToSystemClock(deadline));
    if (options_.gzip) context.set_compression_algorithm(GRPC_COMPRESS_GZIP);
    for (const auto& [name, value] : options_.headers) context.AddMetadata(name, value);
    {
      std::lock_guard lock(call_mu_);
      active_call_ = &context;  // lets Shutdown cancel the call from another thread
    }
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub_->UnaryCall(&context, kExportMethod, {}, &request, &response,
                     [&done](grpc::Status status) { done.set_value(std::move(status)); });
    const grpc::Status status = done.get_future().get();
    {
      std::lock_guard lock(call_mu_);
      active_call_ = nullptr;
    }
    return Classify(status, response);
  }

  ExportResult Classify(const grpc::Status& status, const grpc::ByteBuffer& response) const {
    ExportResult r;
    if (status.ok()) {
      if (auto partial = ParseExportResponse(Flatten(response))) {
        r.rejected_spans = partial->rejected_spans;
        r.message = std::move(partial->error_message);
      }
      return r;
    }
    r.message = "OTLP/gRPC " + options_.endpoint + ": status " +
                std::to_string(static_cast<int>(status.error_code())) + ": " +
                status.error_message();
    const auto delay = RetryInfoDelay(status.error_details());
    switch (status.error_code()) {
      case grpc::StatusCode::CANCELLED:
      case grpc::StatusCode::DEADLINE_EXCEEDED:
      case grpc::StatusCode::ABORTED:
      case grpc::StatusCode::OUT_OF_RANGE:
      case grpc::StatusCode::UNAVAILABLE:
      case grpc::StatusCode::DATA_LOSS:
        r.kind = ExportResult::Kind::kRetryable;
        break;
      case grpc::StatusCode::RESOURCE_EXHAUSTED:
        // OTLP: retryable only when the server says so with RetryInfo; otherwise the limit
        // is not expected to recover (e.g. a message size limit).
        r.kind = delay ? ExportResult::Kind::kRetryable : ExportResult::Kind::kFailed;
        break;
      default:
        r.kind = ExportResult::Kind::kFailed;
        break;
    }
    // A zero delay (or RetryInfo without one) leaves the wait to our backoff.
    if (r.kind == ExportResult::Kind::kRetryable && delay && delay->count() > 0)
      r.retry_after = *delay;
    return r;
  }

  const OtlpExporterOptions options_;
  ExportRetrier retrier_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<grpc::GenericStub> stub_;
  std::mutex call_mu_;
  grpc::ClientContext* active_call_ = nullptr;  // guarded by call_mu_
};

}  // namespace

std::unique_ptr<OtlpExporter> MakeOtlpGrpcExporter(const OtlpExporterOptions& options) {
  return std::make_unique<OtlpGrpcExporter>(options);
}

}  // namespace traceproof
