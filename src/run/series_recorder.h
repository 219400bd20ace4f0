// The per-second series of a run (issue 14, item 5): the run thread hands the recorder what the
// load generator counted so far and the latency of the answers since the last row, about once a
// second, during warm-up, load and drain (run/progress.h and the drain's tick); the recorder
// turns cumulative counters into per-interval rows, reads the sink's span count and the CPU and
// RSS of traceproof and of each process under test, and keeps the rows for RunOutcome (a
// 10-minute run is 600 rows). The clock is the caller's and the process readings come through
// SeriesSources, so tests drive it with fakes.
// Not thread-safe: one owning thread (the run's).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "load/histogram.h"
#include "run/series_sample.h"

namespace traceproof {

// A process to sample now: by pid, or (group) summed over its process group.
struct RunningProcess {
  std::string name;
  pid_t pid = -1;
  bool group = false;
};

struct ProcessReading {
  double cpu_seconds = 0;  // user + system over its life
  std::uint64_t rss_bytes = 0;
};

struct SeriesSources {
  std::function<std::uint64_t()> spans_received;  // cumulative, at the sink; may be empty
  // What runs now, traceproof first; asked at every row, so processes may come and go.
  std::function<std::vector<RunningProcess>()> processes;
  std::function<ProcessReading(const RunningProcess&)> read;  // empty: /proc
};

// The load generator's counters of the current phase, cumulative since its start.
struct LoadCounters {
  std::uint64_t sent = 0;
  std::uint64_t dropped = 0;
  std::uint64_t errors_connect = 0;
  std::uint64_t errors_timeout = 0;
  std::uint64_t errors_reset = 0;
  std::uint64_t errors_other = 0;
  std::uint64_t not_2xx = 0;
  double scheduled = 0;  // what the arrival schedule asked for so far
};

struct LoadReading {
  LoadCounters counters;
  Histogram answers;  // corrected latency of the answers since the previous reading
};

// Traceproof itself and the /proc reader the run uses.
RunningProcess SelfProcess();
ProcessReading ReadProcFs(const RunningProcess& process);

class SeriesRecorder {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kInterval{1};

  explicit SeriesRecorder(SeriesSources sources);

  // A new phase: its load counters start from zero. The first one sets t_s = 0 and takes the
  // processes' CPU baseline.
  void BeginPhase(std::string phase, Clock::time_point now);
  // Whether a row is due: every kInterval from the start of the phase.
  bool Due(Clock::time_point now) const;
  // Appends the row ending `now`; `load` is null when no load runs (drain). The last row of a
  // phase is recorded whether due or not, so a phase's rows add up to what it sent (unless it
  // comes within 10 ms of the previous row and nothing moved).
  void Record(Clock::time_point now, const LoadReading* load);

  const std::vector<SeriesSample>& samples() const { return samples_; }
  std::vector<SeriesSample> Take() { return std::move(samples_); }

 private:
  void AddLoad(SeriesSample& s, const LoadReading& load, double interval_s);
  std::vector<ProcessSample> SampleProcesses(double interval_s);
  ProcessReading Read(const RunningProcess& p) const;

  SeriesSources sources_;
  std::vector<SeriesSample> samples_;
  bool started_ = false;
  Clock::time_point origin_;
  Clock::time_point last_;
  Clock::time_point next_due_;
  std::string phase_;
  LoadCounters last_load_;
  std::uint64_t last_spans_ = 0;
  // CPU seconds at the previous row, by name and pid: a new pid (a restart) starts from zero.
  std::map<std::pair<std::string, pid_t>, double> last_cpu_;
};

}  // namespace traceproof
