#include "run/progress.h"

#include <algorithm>
#include <optional>
#include <thread>

#include "run/checks_so_far.h"
#include "run/series_recorder.h"

namespace traceproof {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::uint64_t UnixNowNs() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// One progress line's figures: counters now, the rate since the previous line.
RunProgress Snapshot(const PhaseWatch& watch, const OpenLoopProgress& progress, double elapsed_s,
                     double total_s, std::uint64_t last_sent, double interval_s) {
  RunProgress p;
  p.phase = watch.phase;
  p.elapsed_s = elapsed_s;
  p.phase_total_s = total_s;
  p.requests_sent = progress.sent.load();
  p.rate_per_s = (p.requests_sent - last_sent) / std::max(1e-3, interval_s);
  p.p99_corrected_ns = progress.p99_corrected_ns.load();
  p.spans_received = watch.spans_received ? watch.spans_received() : 0;
  p.dropped_iterations = progress.dropped.load();
  p.errors = progress.errors.load();
  return p;
}

LoadReading ReadLoad(OpenLoopProgress& progress, const OpenLoopOptions& load, double elapsed_s) {
  LoadReading r;
  LoadCounters& c = r.counters;
  c.sent = progress.sent.load();
  c.dropped = progress.dropped.load();
  c.errors_connect = progress.errors_connect.load();
  c.errors_timeout = progress.errors_timeout.load();
  c.errors_reset = progress.errors_reset.load();
  c.errors_other = progress.errors_other.load();
  c.not_2xx = progress.not_2xx.load();
  c.scheduled = ExpectedCountBetween(load.phases, 0, elapsed_s) / std::max(1, load.shards);
  r.answers = progress.TakeInterval();
  return r;
}

void RecordSeries(const PhaseWatch& watch, OpenLoopProgress& progress, const OpenLoopOptions& load,
                  Clock::time_point begin, bool last) {
  const auto now = Clock::now();
  if (!watch.series || !(last || watch.series->Due(now))) return;
  const LoadReading reading = ReadLoad(progress, load, Seconds(now - begin));
  watch.series->Record(now, &reading);
}

}  // namespace

LoadStats RunLoadWithProgress(const OpenLoopOptions& load, const PhaseWatch& watch) {
  OpenLoopProgress progress;
  LoadStats stats;
  double total_s = 0;
  for (const auto& p : load.phases) total_s += Seconds(p.duration);
  std::atomic<bool> done{false};
  std::thread worker([&] {
    stats = RunOpenLoop(load, &progress, watch.stop);
    done = true;
  });
  const auto begin = Clock::now();
  if (watch.series) watch.series->BeginPhase(watch.phase, begin);
  std::uint64_t last_sent = 0;
  auto last = begin;
  std::optional<ChecksSoFar> look;
  while (!done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (watch.tick) watch.tick(Clock::now() - begin);
    RecordSeries(watch, progress, load, begin, false);
    if (Clock::now() - last < std::chrono::seconds(1) && !done) continue;
    const auto now = Clock::now();
    RunProgress p =
        Snapshot(watch, progress, Seconds(now - begin), total_s, last_sent, Seconds(now - last));
    if (watch.so_far) {
      if (auto fresh = watch.so_far->Tick(now, UnixNowNs())) look = std::move(fresh);
    }
    if (look && look->requests > 0) {
      p.checks_so_far_requests = look->requests;
      p.failing_so_far = look->failing;
    }
    last_sent = p.requests_sent;
    last = now;
    if (watch.on_progress) watch.on_progress(p);
  }
  worker.join();
  RecordSeries(watch, progress, load, begin, true);
  return stats;
}

}  // namespace traceproof
