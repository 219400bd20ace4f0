// What the checks that join the sink's traces with ground truth (propagation, sampling,
// throughput) need of those traces, kept compact as traces complete instead of every span: per
// trace id its span and root counts and whether an entry service's SERVER root started it, and
// every span id that arrived. Built from the same traces in the same way by the streaming run
// and by a batch judge, so both read the same facts. Plain data; fed from one thread.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "otlp/ids.h"
#include "store/trace.h"

namespace traceproof::checks {

struct SinkTraceFacts {
  std::uint64_t spans = 0;
  std::uint64_t roots = 0;
  // A SERVER root of a service the load generator calls without a traceparent: the trace was
  // started by this run's requests.
  bool entry_root = false;
};

class SinkIndex {
 public:
  explicit SinkIndex(std::vector<std::string> load_entry_services)
      : entry_(std::move(load_entry_services)) {}

  // An update record adds its late spans to the trace's facts (spans[new_from..]).
  void Add(const Trace& trace);

  // nullptr when no span of that trace reached the sink.
  const SinkTraceFacts* Find(const TraceId& id) const;
  bool HasSpan(const SpanId& id) const { return span_ids_.contains(id); }
  std::uint64_t span_count() const { return spans_; }

 private:
  std::vector<std::string> entry_;
  std::unordered_map<TraceId, SinkTraceFacts, IdHash> traces_;
  std::unordered_set<SpanId, IdHash> span_ids_;
  std::uint64_t spans_ = 0;
};

}  // namespace traceproof::checks
