// What the checks that join the sink's traces with ground truth (propagation, sampling,
// throughput) need of those traces, kept compact as traces complete instead of every span: per
// trace id its span and root counts, whether an entry service's SERVER root started it, and
// the ids of its spans. Built from the same traces in the same way by the streaming run and by
// a batch judge, so both read the same facts.
//
// A long run cannot keep every trace's facts to the end (a span id per span). With
// `forget_after` set, a trace's facts are forgotten once that long has passed (by the traces'
// own last_seen times, the sink's clock) since its last span: the truth joiner hands each
// request out within settle + missing_after of its last record, so a run that sets
// forget_after above that bound judges every request against the facts a batch judge would
// see. A run that holds requests to its end (queue publishers) or judges witnesses at the end
// keeps everything (no forget_after), as a batch judge does. Plain data; fed from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checks/forgetting_map.h"
#include "otlp/ids.h"
#include "store/trace.h"

namespace traceproof::checks {

struct SinkTraceFacts {
  std::uint64_t spans = 0;
  std::uint64_t roots = 0;
  // A SERVER root of a service the load generator calls without a traceparent: the trace was
  // started by this run's requests.
  bool entry_root = false;
  // The load requests a check matched with this trace: a late root that arrives after such a
  // request was judged still breaks it (Claim).
  std::vector<std::uint64_t> claimed_by;
  std::vector<SpanId> span_ids;
};

struct SinkIndexOptions {
  std::vector<std::string> load_entry_services;
  bool span_ids = true;  // keep span ids (HasSpan); off when no check asks
  std::optional<std::chrono::nanoseconds> forget_after;  // nullopt: keep the whole run
};

class SinkIndex {
 public:
  explicit SinkIndex(SinkIndexOptions options)
      : options_(std::move(options)), traces_(options_.forget_after) {}

  // An update record adds its late spans to the trace's facts (spans[new_from..]). Returns the
  // trace's facts after the update.
  const SinkTraceFacts& Add(const Trace& trace);

  // nullptr when no span of that trace reached the sink (or it was forgotten).
  const SinkTraceFacts* Find(const TraceId& id) const;
  // Marks the trace as matched with load request `request_id` (also before it arrives);
  // returns what Find does.
  const SinkTraceFacts* Claim(const TraceId& id, std::uint64_t request_id);
  bool HasSpan(const TraceId& trace, const SpanId& span) const;
  std::uint64_t span_count() const { return spans_; }
  std::size_t traces_held() const { return traces_.size(); }

 private:
  SinkIndexOptions options_;
  ForgettingMap<SinkTraceFacts> traces_;
  std::uint64_t spans_ = 0;
};

}  // namespace traceproof::checks
