// Everything a check may read after a run, and nothing it could change: the traces the sink
// assembled, the ground truth of what the services emitted and what reached them (inbound
// witness records), what the load generator did (and which services it calls directly), and
// the counters of each hop of the pipeline (services' exporters, Collector if any, sink or
// sinks), and, with a sink tier, which trace ids reached which sink.
// Checks read this; they never drive services (ARCHITECTURE.md: data moves one way).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "load/load_stats.h"
#include "otlp/refusal.h"
#include "store/trace.h"
#include "truth/ground_truth.h"
#include "truth/inbound_record.h"

namespace traceproof {

// Counters of one hop that spans pass through, for the throughput check's reconciliation:
// what entered it = what it passed on + what it refused + what it dropped (by reason).
struct HopCounters {
  std::string name;  // "services", "collector", "sink", or "sink 0", "sink 1", ... (a tier)
  std::uint64_t received = 0;
  std::uint64_t passed_on = 0;  // exported (services, collector) or accepted (sink)
  std::vector<std::pair<std::string, std::uint64_t>> dropped;  // reason -> spans
  // Hops with the same non-empty tier run side by side (the sinks of a tier): the hop before
  // them passes on to all of them, so its count is reconciled with the sum of theirs.
  std::string tier = {};
};

// The name of the first hop in a span-load run: the load generator, which knows how many spans
// it tried to send. The throughput check measures loss from it (no ground truth there).
inline constexpr char kSenderHopName[] = "load generator";

// One sink of a sink tier (`sink: { count: N }`, N > 1): which traces reached it, by id only,
// so the `sinks` check can tell a trace split over sinks, and the throughput check can say at
// which sink a lost span's trace was routed.
struct SinkRouting {
  std::string name;      // "sink 1"
  std::string endpoint;  // its OTLP/gRPC endpoint, "127.0.0.1:PORT"
  std::uint64_t spans_received = 0;
  std::optional<double> killed_at_s;  // a `sink: kill` fault: seconds into the load
  // Lines of the Collector's log where an export to this endpoint failed (RunCollector).
  std::uint64_t collector_failed_exports = 0;
  std::unordered_set<TraceId, IdHash> trace_ids;
};

struct RunData {
  std::vector<std::shared_ptr<const Trace>> traces;  // as the sink assembled them
  std::vector<GroundTruthSpan> truth;                // every span the services started
  std::vector<InboundRecord> inbound;                // every request and message a mock took
  LoadStats load;  // load.started_traces: the traces the generator started (traceparent: fresh)
  // The services the load generator calls without a traceparent of its own (they start the
  // traces: a SERVER root there is a trace of this run).
  std::vector<std::string> load_entry_services;
  // A tail sampler in the Collector may drop whole traces by design.
  bool tail_sampling = false;
  // In pipeline order: services (or, in a span-load run, the load generator) first, sink last.
  std::vector<HopCounters> hops;
  // The sinks of a sink tier, in index order; empty with one sink.
  std::vector<SinkRouting> sinks;
  double run_seconds = 0;  // load phases only
  // The head sampler the services used, e.g. "traceidratio" with arg "0.25".
  std::string head_sampler;
  std::optional<double> head_sampler_ratio;
};

}  // namespace traceproof
