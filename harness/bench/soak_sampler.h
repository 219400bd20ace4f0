// What `traceproof bench soak` watches while a run goes on: this process's resident memory and
// CPU, read from /proc/self once a second on a thread of its own (so a busy run thread cannot
// delay a sample), with the run's own progress (phase, spans received) attached to each sample,
// and a progress line every ~10 s on stderr. The run thread reports progress through Note();
// Finish() stops the thread and hands back the curve. Thread-safe: Note() from any thread,
// Finish() once, from the thread that constructed it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace traceproof {

struct SoakSample {
  double t_s = 0;     // since the sampler started
  std::string phase;  // the run's last reported phase: "start", "warm-up", "load", "after"
  std::uint64_t rss_bytes = 0;
  double cpu_pct = 0;                // over the second before the sample; 100 = one core
  double cpu_s = 0;                  // user + system since the sampler started
  std::uint64_t spans_received = 0;  // at the run's sink, as last reported
};

struct SoakSamplerOptions {
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds progress_every{10000};  // 0: no progress line
  double planned_s = 0;                             // for the progress line ("of 600 s")
};

class SoakSampler final {
 public:
  explicit SoakSampler(SoakSamplerOptions options);
  ~SoakSampler();
  SoakSampler(const SoakSampler&) = delete;
  SoakSampler& operator=(const SoakSampler&) = delete;

  // The run's progress: called about once a second during warm-up and load.
  void Note(const std::string& phase, std::uint64_t spans_received);
  // Takes a last sample, stops the thread and returns every sample in time order. Samples taken
  // after the run's last "load" progress are relabelled "after" (drain, checks): the run reports
  // no progress then.
  std::vector<SoakSample> Finish();

 private:
  void Loop();
  SoakSample Take();
  void PrintProgress(const SoakSample& s) const;

  const SoakSamplerOptions options_;
  const std::chrono::steady_clock::time_point t0_;
  const double cpu0_s_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool finished_ = false;
  std::string phase_ = "start";
  std::uint64_t spans_received_ = 0;
  double last_load_t_s_ = -1;
  std::vector<SoakSample> samples_;
  double last_cpu_s_ = 0;
  double last_t_s_ = 0;
  std::thread thread_;  // last: it starts once the members it reads exist
};

// The curve as CSV (a name ending .csv) or JSON lines (anything else); false when the file
// cannot be written.
bool WriteSoakCurve(const std::filesystem::path& path, const std::vector<SoakSample>& samples);

}  // namespace traceproof
