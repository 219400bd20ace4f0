// One row of a run's per-second series (series.jsonl, docs/results.md): what the load
// generator offered and achieved, the latency of the answers in that interval, errors by kind,
// spans that reached the sink, and what traceproof and each process under test cost. The HTML
// report and the shard merge read the rows back, so the fields are plain counts and rates with
// their units in their names. Plain data; written by the run thread (run/series_recorder.h).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace traceproof {

struct ProcessSample {
  std::string name;  // "traceproof", "collector", "rabbitmq", an app's service name
  std::uint64_t rss_bytes = 0;
  double cpu_percent = 0;  // over the row's interval; 100 = one core
};

struct SeriesSample {
  double t_s = 0;         // end of the interval, seconds since the run's first phase began
  double interval_s = 0;  // ~1; shorter for the last row of a phase
  std::string phase;      // "warm-up", "load", "drain"
  double requests_per_s_target = 0;  // what the arrival schedule asked for in the interval
  double requests_per_s = 0;         // requests sent in the interval / interval_s
  std::uint64_t requests = 0;        // sent in the interval (they sum to the phase's total)
  std::uint64_t responses = 0;       // answers whose latency is in p50_ns / p99_ns
  // Corrected for coordinated omission (from the intended start), over the answers of this
  // interval only; 0 when there were none.
  std::uint64_t p50_ns = 0;
  std::uint64_t p99_ns = 0;
  std::uint64_t max_ns = 0;
  std::uint64_t dropped_iterations = 0;  // arrivals the generator could not start
  // In the interval, by kind: "connect", "timeout", "reset", "other" (transport, as in
  // summary.json's load section) and "status" (answers outside 2xx). Every kind is present.
  std::map<std::string, std::uint64_t> errors;
  std::uint64_t spans_received = 0;      // at the embedded sink, in the interval
  std::vector<ProcessSample> processes;  // traceproof first, then those running
};

}  // namespace traceproof
