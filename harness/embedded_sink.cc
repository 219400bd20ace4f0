#include "embedded_sink.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "receiver/grpc_receiver.h"
#include "receiver/http_receiver.h"

namespace traceproof {
namespace {

class EmbeddedSinkImpl final : public EmbeddedSink {
 public:
  explicit EmbeddedSinkImpl(const EmbeddedSinkOptions& options)
      : options_(options), store_(StoreOptions(options)) {}

  ~EmbeddedSinkImpl() override { Stop(); }

  bool Start(std::string& error) {
    if (options_.grpc) {
      grpc_ = StartGrpcReceiver({options_.host, 0, {}}, store_, counters_, error);
      if (!grpc_) return false;
    }
    if (options_.http) {
      http_ = StartHttpReceiver({options_.host, 0, options_.http_threads, {}}, store_, counters_,
                                error);
      if (!http_) return false;
    }
    collector_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      while (!stopping_) {
        stop_cv_.wait_for(lock, options_.collect_every, [this] { return stopping_; });
        lock.unlock();
        Collect(false);
        lock.lock();
      }
    });
    return true;
  }

  std::uint16_t grpc_port() const override { return grpc_ ? grpc_->port() : 0; }
  std::uint16_t http_port() const override { return http_ ? http_->port() : 0; }
  const IngestCounters& counters() const override { return counters_; }
  const TraceStoreCounters& store_counters() const override { return store_.counters(); }
  std::uint64_t traces_collected() const override { return traces_collected_.load(); }

  void Stop() override {
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return;
      stopped_ = stopping_ = true;
    }
    stop_cv_.notify_all();
    if (collector_.joinable()) collector_.join();
    if (grpc_) grpc_->Stop();
    if (http_) http_->Stop();
    Collect(true);
  }

 private:
  static TraceStoreOptions StoreOptions(const EmbeddedSinkOptions& options) {
    TraceStoreOptions o;
    o.quiet_period = options.quiet_period;
    return o;
  }

  // Only the collector thread, then Stop() after joining it, call this: never concurrently.
  void Collect(bool force) {
    traces_collected_.fetch_add(store_.CollectCompleted(force).size(), std::memory_order_relaxed);
  }

  EmbeddedSinkOptions options_;
  TraceStore store_;
  IngestCounters counters_;
  std::unique_ptr<GrpcReceiver> grpc_;
  std::unique_ptr<HttpReceiver> http_;
  std::thread collector_;
  std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  bool stopped_ = false;
  std::atomic<std::uint64_t> traces_collected_{0};
};

}  // namespace

std::unique_ptr<EmbeddedSink> StartEmbeddedSink(const EmbeddedSinkOptions& options,
                                                std::string& error) {
  auto sink = std::make_unique<EmbeddedSinkImpl>(options);
  if (!sink->Start(error)) return nullptr;
  return sink;
}

}  // namespace traceproof
