#include "run/sink_tier.h"

#include <fmt/format.h>

#include <mutex>
#include <unordered_set>

#include "run/hop_accounting.h"

namespace traceproof {

// Remembers the trace id of every span a sink's store accepted, then passes the batch on.
// Thread-safe: the sink's receiver threads call Consume.
class TraceIdRecorder final : public SpanConsumer {
 public:
  explicit TraceIdRecorder(SpanConsumer& next) : next_(next) {}

  ConsumeResult Consume(SpanBatch batch) noexcept override {
    std::vector<TraceId> ids;  // spans of a trace come together: a run of ids is one entry
    ids.reserve(batch.spans.size());
    for (const SpanView& s : batch.spans)
      if (ids.empty() || !(ids.back() == s.trace_id)) ids.push_back(s.trace_id);
    const ConsumeResult r = next_.Consume(std::move(batch));
    if (r.status == ConsumeStatus::kAccepted) {
      std::lock_guard lock(mu_);
      ids_.insert(ids.begin(), ids.end());
    }
    return r;
  }

  std::unordered_set<TraceId, IdHash> Take() {
    std::lock_guard lock(mu_);
    return std::move(ids_);
  }

 private:
  SpanConsumer& next_;
  std::mutex mu_;
  std::unordered_set<TraceId, IdHash> ids_;
};

SinkTier::~SinkTier() { Stop(); }

std::unique_ptr<SinkTier> SinkTier::Start(const SinkTierOptions& options, SpanConsumer& store,
                                          std::string& error) {
  std::unique_ptr<SinkTier> tier(new SinkTier());
  for (int i = 0; i < options.count; ++i) {
    Member m;
    SinkOptions o = i == 0 ? options.first : SinkOptions{};
    o.limits.required_headers = options.first.limits.required_headers;
    SpanConsumer* consumer = &store;
    if (options.count > 1) {
      m.recorder = std::make_unique<TraceIdRecorder>(store);
      consumer = m.recorder.get();
    }
    m.sink = MakeSink(o, *consumer, error);
    if (!m.sink) {
      if (options.count > 1) error = fmt::format("sink {} of {}: {}", i, options.count, error);
      return nullptr;  // the sinks started so far stop with the tier
    }
    tier->sinks_.push_back(std::move(m));
  }
  return tier;
}

std::string SinkTier::GrpcEndpoint(int index) const {
  return fmt::format("127.0.0.1:{}", sink(index).grpc_port());
}

std::vector<std::string> SinkTier::GrpcEndpoints() const {
  std::vector<std::string> out;
  for (int i = 0; i < count(); ++i) out.push_back(GrpcEndpoint(i));
  return out;
}

std::uint64_t SinkTier::spans_received() const {
  std::uint64_t n = 0;
  for (const Member& m : sinks_) n += m.sink->counters().spans_received.load();
  return n;
}

void SinkTier::Kill(int index, std::chrono::nanoseconds at) {
  Member& m = sinks_[index];
  if (m.killed_at) return;
  m.killed_at = at;
  m.sink->Stop();
}

void SinkTier::Stop() {
  for (Member& m : sinks_) m.sink->Stop();
}

std::string SinkTier::HopName(int index) const {
  return count() == 1 ? "sink" : fmt::format("sink {}", index);
}

std::vector<HopCounters> SinkTier::Hops(const TraceStoreCounters& store) const {
  const TraceStoreCounters none;  // the store's evictions are counted once, at sink 0
  std::vector<HopCounters> hops;
  for (int i = 0; i < count(); ++i) {
    HopCounters h = SinkHop(sink(i).counters(), i == 0 ? store : none);
    h.name = HopName(i);
    if (count() > 1) h.tier = "sinks";
    hops.push_back(std::move(h));
  }
  return hops;
}

std::vector<SinkRouting> SinkTier::TakeRouting() {
  std::vector<SinkRouting> out;
  if (count() < 2) return out;
  for (int i = 0; i < count(); ++i) {
    Member& m = sinks_[i];
    SinkRouting r;
    r.name = HopName(i);
    r.endpoint = GrpcEndpoint(i);
    r.spans_received = m.sink->counters().spans_received.load();
    if (m.killed_at) r.killed_at_s = std::chrono::duration<double>(*m.killed_at).count();
    r.trace_ids = m.recorder->Take();
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace traceproof
