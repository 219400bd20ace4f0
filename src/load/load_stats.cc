#include "load/load_stats.h"

namespace traceproof {

void AddLoadStats(LoadStats& into, const LoadStats& from) {
  into.scheduled += from.scheduled;
  into.sent += from.sent;
  into.ok += from.ok;
  for (const auto& [status, n] : from.by_status) into.by_status[status] += n;
  into.errors_connect += from.errors_connect;
  into.errors_timeout += from.errors_timeout;
  into.errors_reset += from.errors_reset;
  into.errors_other += from.errors_other;
  into.dropped_iterations += from.dropped_iterations;
  into.corrected.Merge(from.corrected);
  into.uncorrected.Merge(from.uncorrected);
  into.started_traces.insert(into.started_traces.end(), from.started_traces.begin(),
                             from.started_traces.end());
  into.spans_sent += from.spans_sent;
  into.spans_acknowledged += from.spans_acknowledged;
  for (const auto& [kind, n] : from.spans_failed) into.spans_failed[kind] += n;
  into.latencies_ns.insert(into.latencies_ns.end(), from.latencies_ns.begin(),
                           from.latencies_ns.end());
}

}  // namespace traceproof
