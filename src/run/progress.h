// A load phase of a run as the user watches it: the open-loop generator runs on its own thread
// while the run thread ticks what is due during the load (the fault schedule) every ~100 ms and,
// about once a second, reports a progress line: rate, p99, spans received, dropped iterations,
// errors and, during load, the checks failing so far on a sample of settled requests
// (run/checks_so_far.h); with a recorder, a row of the per-second series (run/series_recorder.h)
// each second and one at the end of the phase. Blocks the calling thread until the phase is over or
// stopped.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "load/load_stats.h"
#include "load/open_loop.h"

namespace traceproof {

class ChecksSoFarSampler;
class SeriesRecorder;

// What the run is doing, for a progress line; called about once a second from the run thread.
struct RunProgress {
  std::string phase;  // "warm-up", "load", "drain", "checks"
  double elapsed_s = 0;
  double phase_total_s = 0;  // 0 when unknown
  std::uint64_t requests_sent = 0;
  double rate_per_s = 0;  // over the last interval
  std::uint64_t p99_corrected_ns = 0;
  std::uint64_t spans_received = 0;
  std::uint64_t dropped_iterations = 0;
  std::uint64_t errors = 0;
  // During load: the checks on a sample of settled requests (run/checks_so_far.h); 0 requests:
  // no look yet, or none for this run (a Collector in the loop, say).
  std::size_t checks_so_far_requests = 0;
  std::vector<std::string> failing_so_far;  // check kinds
};

struct PhaseWatch {
  std::string phase;                                   // "warm-up", "load"
  std::function<void(std::chrono::nanoseconds)> tick;  // time into the phase; may be empty
  std::function<std::uint64_t()> spans_received;       // at the sink
  ChecksSoFarSampler* so_far = nullptr;                // not owned; may be null
  SeriesRecorder* series = nullptr;  // not owned; may be null: rows of the per-second series
  std::function<void(const RunProgress&)> on_progress;  // may be empty
  const std::atomic<bool>* stop = nullptr;              // Ctrl-C
};

LoadStats RunLoadWithProgress(const OpenLoopOptions& load, const PhaseWatch& watch);

}  // namespace traceproof
