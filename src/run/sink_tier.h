// The sinks of one `traceproof run`: one embedded sink (the usual case, exactly as before), or
// a sink tier (`sink: { count: N }`) of N behind the Collector's loadbalancing exporter. Every
// sink is the same Sink component with its own receivers and ingest counters; all of them feed
// the run's one trace store, so the checks see the union, and with N > 1 each also remembers
// the trace ids it received (ids only, not spans) for the `sinks` check and for telling where
// a lost trace was routed. A `sink: kill` fault stops one sink's receivers (its port closes)
// for the rest of the run. Start, Kill, Stop and the results from the run's thread;
// spans_received() from any thread (the series and drain probes).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checks/run_data.h"
#include "sink/sink.h"
#include "store/trace_store.h"

namespace traceproof {

class TraceIdRecorder;

struct SinkTierOptions {
  int count = 1;
  // Sink 0's options (listen addresses, forwarding); the others listen on free loopback ports
  // with both receivers and no forwarding, and require the same headers as sink 0.
  SinkOptions first;
};

class SinkTier {
 public:
  ~SinkTier();
  // Every sink listening, or nullptr with `error` (nothing is left listening).
  static std::unique_ptr<SinkTier> Start(const SinkTierOptions& options, SpanConsumer& store,
                                         std::string& error);

  int count() const { return static_cast<int>(sinks_.size()); }
  Sink& sink(int index) { return *sinks_[index].sink; }
  const Sink& sink(int index) const { return *sinks_[index].sink; }
  // "127.0.0.1:PORT": sink `index`'s OTLP/gRPC endpoint, for the Collector's environment.
  std::string GrpcEndpoint(int index) const;
  std::vector<std::string> GrpcEndpoints() const;
  // Over every sink; any thread.
  std::uint64_t spans_received() const;

  // The `sink: kill` fault: sink `index`'s receivers stop now, `at` into the load.
  void Kill(int index, std::chrono::nanoseconds at);
  void Stop();  // every sink; idempotent

  // After Stop: one hop per sink ("sink", or "sink 0", "sink 1", ... side by side in tier
  // "sinks"); the store's evictions are the first sink's, since the sinks share it.
  std::vector<HopCounters> Hops(const TraceStoreCounters& store) const;
  // After Stop, with N > 1: the trace ids each sink received (moved out), else empty.
  std::vector<SinkRouting> TakeRouting();

 private:
  struct Member {
    std::unique_ptr<TraceIdRecorder> recorder;  // N > 1 only; outlives the sink that calls it
    std::unique_ptr<Sink> sink;
    std::optional<std::chrono::nanoseconds> killed_at;
  };
  SinkTier() = default;
  std::string HopName(int index) const;

  std::vector<Member> sinks_;
};

}  // namespace traceproof
