#include "receiver/otlp_forwarder.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <future>

namespace traceproof {
namespace {

constexpr char kExportMethod[] = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

// The bytes stay owned by the shared_ptr the batch came with; gRPC holds a reference until sent.
grpc::Slice SharedSlice(const std::shared_ptr<const std::string>& bytes) {
  auto* owner = new std::shared_ptr<const std::string>(bytes);
  return grpc::Slice(
      const_cast<char*>(bytes->data()), bytes->size(),
      [](void* p) { delete static_cast<std::shared_ptr<const std::string>*>(p); }, owner);
}

bool Retryable(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return true;
    default:
      return false;
  }
}

}  // namespace

struct ForwardingConsumer::Channel {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<grpc::GenericStub> stub;
};

ForwardingConsumer::ForwardingConsumer(SpanConsumer& inner, ForwarderOptions options)
    : inner_(inner), options_(std::move(options)), channel_(std::make_unique<Channel>()) {
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(-1);
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);  // ours are counted
  // A backend that starts after us (Compose starts containers in parallel) is found quickly.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  channel_->channel = MakeOtlpGrpcChannel(options_.endpoint, options_.tls, args);
  channel_->stub = std::make_unique<grpc::GenericStub>(channel_->channel);
  stats_.endpoint = options_.endpoint;
  worker_ = std::thread([this] { Work(); });
}

ForwardingConsumer::~ForwardingConsumer() { Stop(std::chrono::milliseconds(0)); }

ConsumeResult ForwardingConsumer::Consume(SpanBatch batch) noexcept {
  Item item{batch.bytes, batch.spans.size()};
  ConsumeResult r = inner_.Consume(std::move(batch));
  // Only what the sink kept goes on: a refused request is the client's to retry, and forwarding
  // it as well would show spans the run never checked.
  if (r.status != ConsumeStatus::kAccepted || !item.bytes) return r;
  std::lock_guard lock(mu_);
  if (stopping_ || queue_.size() >= options_.max_queued_requests) {
    ++stats_.requests_dropped;
    stats_.spans_dropped += item.spans;
    stats_.last_error = stopping_ ? "arrived after the forwarder stopped"
                                  : "forward queue full (" +
                                        std::to_string(options_.max_queued_requests) +
                                        " requests): the backend is slower than the load";
    return r;
  }
  queue_.push_back(std::move(item));
  cv_.notify_one();
  return r;
}

void ForwardingConsumer::Work() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() || (stopping_ && std::chrono::steady_clock::now() >= stop_deadline_)) {
      break;
    }
    Item item = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    Send(item);
    lock.lock();
  }
  // Whatever is left was never sent.
  for (const Item& item : queue_) {
    ++stats_.requests_dropped;
    stats_.spans_dropped += item.spans;
    stats_.last_error = "still queued when the run stopped forwarding";
  }
  queue_.clear();
}

bool ForwardingConsumer::Send(const Item& item) {
  grpc::Slice slice = SharedSlice(item.bytes);
  const grpc::ByteBuffer request(&slice, 1);
  std::string error;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + options_.timeout);
    if (options_.gzip) context.set_compression_algorithm(GRPC_COMPRESS_GZIP);
    for (const auto& [name, value] : options_.headers) context.AddMetadata(name, value);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    channel_->stub->UnaryCall(&context, kExportMethod, {}, &request, &response,
                              [&done](grpc::Status status) { done.set_value(std::move(status)); });
    const grpc::Status status = done.get_future().get();
    if (status.ok()) {
      std::lock_guard lock(mu_);
      ++stats_.requests_forwarded;
      stats_.spans_forwarded += item.spans;
      return true;
    }
    error = "OTLP/gRPC " + options_.endpoint + ": status " +
            std::to_string(static_cast<int>(status.error_code())) + ": " + status.error_message();
    if (!Retryable(status.error_code()) || attempt == options_.max_attempts) break;
    {
      // Back off, but not past a stop's deadline.
      std::unique_lock lock(mu_);
      const auto until =
          std::chrono::steady_clock::now() + std::chrono::milliseconds(250 << attempt);
      cv_.wait_until(lock, until, [&] { return stopping_; });
      if (stopping_ && std::chrono::steady_clock::now() >= stop_deadline_) break;
    }
  }
  std::lock_guard lock(mu_);
  ++stats_.requests_failed;
  stats_.spans_failed += item.spans;
  stats_.last_error = error;
  return false;
}

void ForwardingConsumer::Stop(std::chrono::milliseconds timeout) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    stop_deadline_ = std::chrono::steady_clock::now() + timeout;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

ForwarderStats ForwardingConsumer::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace traceproof
