#include "bench/soak_sampler.h"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "process/proc_stat.h"

namespace traceproof {
namespace {

double SelfCpuSeconds() { return ProcessCpuSeconds(getpid()); }

}  // namespace

SoakSampler::SoakSampler(SoakSamplerOptions options)
    : options_(options),
      t0_(std::chrono::steady_clock::now()),
      cpu0_s_(SelfCpuSeconds()),
      thread_([this] { Loop(); }) {}

SoakSampler::~SoakSampler() {
  if (thread_.joinable()) Finish();
}

void SoakSampler::Note(const std::string& phase, std::uint64_t spans_received) {
  const double t_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  std::lock_guard lock(mu_);
  phase_ = phase;
  spans_received_ = spans_received;
  if (phase == "load") last_load_t_s_ = t_s;
}

std::vector<SoakSample> SoakSampler::Finish() {
  {
    std::lock_guard lock(mu_);
    finished_ = true;
  }
  wake_.notify_all();
  thread_.join();
  SoakSample last = Take();
  std::lock_guard lock(mu_);
  samples_.push_back(std::move(last));
  // The progress callback and the sampler tick independently: a sample up to half an interval
  // after the last load progress still belongs to the load.
  const double load_end_s =
      last_load_t_s_ + 0.5 * std::chrono::duration<double>(options_.interval).count();
  for (SoakSample& s : samples_)
    if (last_load_t_s_ >= 0 && s.t_s > load_end_s) s.phase = "after";
  return std::move(samples_);
}

void SoakSampler::Loop() {
  auto next = t0_ + options_.interval;
  auto next_progress = t0_ + options_.progress_every;
  SoakSample first = Take();  // at 0 s: what the process held before the run started anything
  std::unique_lock lock(mu_);
  samples_.push_back(std::move(first));
  while (!wake_.wait_until(lock, next, [this] { return finished_; })) {
    lock.unlock();
    SoakSample s = Take();
    if (options_.progress_every.count() > 0 && std::chrono::steady_clock::now() >= next_progress) {
      PrintProgress(s);
      next_progress += options_.progress_every;
    }
    lock.lock();
    samples_.push_back(std::move(s));
    next += options_.interval;
  }
}

// Reads /proc/self; called by the sampler thread, or by Finish() once that thread is gone.
SoakSample SoakSampler::Take() {
  SoakSample s;
  s.t_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  s.rss_bytes = ProcessRssBytes(getpid());
  s.cpu_s = SelfCpuSeconds() - cpu0_s_;
  const double dt = s.t_s - last_t_s_;
  s.cpu_pct = dt > 0 ? 100 * (s.cpu_s - last_cpu_s_) / dt : 0;
  last_t_s_ = s.t_s;
  last_cpu_s_ = s.cpu_s;
  std::lock_guard lock(mu_);
  s.phase = phase_;
  s.spans_received = spans_received_;
  return s;
}

void SoakSampler::PrintProgress(const SoakSample& s) const {
  const double mean_cpu = s.t_s > 0 ? 100 * s.cpu_s / s.t_s : 0;
  fmt::print(stderr,
             "  soak {:>5.0f} s of {:.0f} s  {:<7}  RSS {:>7.1f} MiB  CPU {:>4.0f}% now, {:.0f}% "
             "mean  spans {}\n",
             s.t_s, options_.planned_s, s.phase, static_cast<double>(s.rss_bytes) / (1 << 20),
             s.cpu_pct, mean_cpu, s.spans_received);
}

bool WriteSoakCurve(const std::filesystem::path& path, const std::vector<SoakSample>& samples) {
  std::ofstream out(path);
  if (!out) return false;
  const bool csv = path.extension() == ".csv";
  if (csv) out << "t_s,phase,rss_bytes,cpu_pct,cpu_s,spans_received\n";
  for (const SoakSample& s : samples) {
    if (csv) {
      out << fmt::format("{:.3f},{},{},{:.1f},{:.3f},{}\n", s.t_s, s.phase, s.rss_bytes, s.cpu_pct,
                         s.cpu_s, s.spans_received);
    } else {
      nlohmann::ordered_json j = {
          {"t_s", s.t_s},         {"phase", s.phase}, {"rss_bytes", s.rss_bytes},
          {"cpu_pct", s.cpu_pct}, {"cpu_s", s.cpu_s}, {"spans_received", s.spans_received}};
      out << j.dump() << "\n";
    }
  }
  return static_cast<bool>(out);
}

}  // namespace traceproof
