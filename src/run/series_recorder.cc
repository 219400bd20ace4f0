#include "run/series_recorder.h"

#include <unistd.h>

#include <algorithm>

#include "process/proc_stat.h"

namespace traceproof {
namespace {

double Seconds(SeriesRecorder::Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

constexpr double kNothingWithin = 0.01;  // seconds

// A counter that went backwards (it should not) gives 0, not a wrapped huge number.
std::uint64_t Delta(std::uint64_t now, std::uint64_t before) {
  return now > before ? now - before : 0;
}

}  // namespace

RunningProcess SelfProcess() { return {"traceproof", getpid(), false}; }

ProcessReading ReadProcFs(const RunningProcess& p) {
  if (p.pid <= 0) return {};
  if (p.group) return {GroupCpuSeconds(p.pid), GroupRssBytes(p.pid)};
  return {ProcessCpuSeconds(p.pid), ProcessRssBytes(p.pid)};
}

SeriesRecorder::SeriesRecorder(SeriesSources sources) : sources_(std::move(sources)) {}

ProcessReading SeriesRecorder::Read(const RunningProcess& p) const {
  return sources_.read ? sources_.read(p) : ReadProcFs(p);
}

void SeriesRecorder::BeginPhase(std::string phase, Clock::time_point now) {
  phase_ = std::move(phase);
  last_ = now;
  next_due_ = now + kInterval;
  last_load_ = {};
  if (started_) return;
  started_ = true;
  origin_ = now;
  last_spans_ = sources_.spans_received ? sources_.spans_received() : 0;
  // Without a baseline the first row would charge everything traceproof did before the load
  // (loading, starting the broker) to one second.
  if (sources_.processes)
    for (const RunningProcess& p : sources_.processes())
      last_cpu_[{p.name, p.pid}] = Read(p).cpu_seconds;
}

bool SeriesRecorder::Due(Clock::time_point now) const { return started_ && now >= next_due_; }

void SeriesRecorder::Record(Clock::time_point now, const LoadReading* load) {
  if (!started_) return;
  SeriesSample s;
  s.t_s = Seconds(now - origin_);
  s.interval_s = Seconds(now - last_);
  s.phase = phase_;
  s.errors = {{"connect", 0}, {"timeout", 0}, {"reset", 0}, {"other", 0}, {"status", 0}};
  if (load) AddLoad(s, *load, s.interval_s);
  const std::uint64_t spans = sources_.spans_received ? sources_.spans_received() : 0;
  s.spans_received = Delta(spans, last_spans_);
  last_spans_ = spans;
  // A phase's closing row right after a due one would be all zeros: nothing to say.
  if (s.interval_s < kNothingWithin && s.requests == 0 && s.responses == 0 &&
      s.spans_received == 0 && s.dropped_iterations == 0)
    return;
  s.processes = SampleProcesses(s.interval_s);
  last_ = now;
  // Due by a fixed beat, not a second after the last row: a caller that looks every 100 ms
  // would otherwise drift to ~1.05 s rows, and a long run would have fewer rows than seconds.
  while (next_due_ <= now) next_due_ += kInterval;
  samples_.push_back(std::move(s));
}

void SeriesRecorder::AddLoad(SeriesSample& s, const LoadReading& load, double interval_s) {
  const LoadCounters& c = load.counters;
  const double per_s = interval_s > 0 ? 1 / interval_s : 0;
  s.requests = Delta(c.sent, last_load_.sent);
  s.requests_per_s = static_cast<double>(s.requests) * per_s;
  s.requests_per_s_target = std::max(0.0, c.scheduled - last_load_.scheduled) * per_s;
  s.dropped_iterations = Delta(c.dropped, last_load_.dropped);
  s.errors["connect"] = Delta(c.errors_connect, last_load_.errors_connect);
  s.errors["timeout"] = Delta(c.errors_timeout, last_load_.errors_timeout);
  s.errors["reset"] = Delta(c.errors_reset, last_load_.errors_reset);
  s.errors["other"] = Delta(c.errors_other, last_load_.errors_other);
  s.errors["status"] = Delta(c.not_2xx, last_load_.not_2xx);
  s.responses = load.answers.TotalCount();
  s.p50_ns = load.answers.ValueAtPercentile(50);
  s.p99_ns = load.answers.ValueAtPercentile(99);
  s.max_ns = load.answers.Max();
  last_load_ = c;
}

std::vector<ProcessSample> SeriesRecorder::SampleProcesses(double interval_s) {
  std::vector<ProcessSample> out;
  if (!sources_.processes) return out;
  std::map<std::pair<std::string, pid_t>, double> cpu_now;
  for (const RunningProcess& p : sources_.processes()) {
    const ProcessReading r = Read(p);
    // A pid not seen at the previous row started since: its CPU so far is this interval's.
    const auto before = last_cpu_.find({p.name, p.pid});
    const double cpu_before = before == last_cpu_.end() ? 0 : before->second;
    const double used_s = std::max(0.0, r.cpu_seconds - cpu_before);
    out.push_back({p.name, r.rss_bytes, interval_s > 0 ? 100 * used_s / interval_s : 0});
    cpu_now[{p.name, p.pid}] = r.cpu_seconds;
  }
  last_cpu_ = std::move(cpu_now);
  return out;
}

}  // namespace traceproof
