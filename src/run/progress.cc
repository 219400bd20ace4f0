#include "run/progress.h"

#include <algorithm>
#include <optional>
#include <thread>

#include "run/checks_so_far.h"

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
  std::uint64_t last_sent = 0;
  auto last = begin;
  std::optional<ChecksSoFar> look;
  while (!done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (watch.tick) watch.tick(Clock::now() - begin);
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
  return stats;
}

}  // namespace traceproof
