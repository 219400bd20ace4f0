#include "bench/collector_bench.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "bench/bench_figures.h"
#include "exit_codes.h"
#include "load/id_seed.h"
#include "load/open_loop.h"
#include "process/collector_process.h"
#include "run/drain.h"
#include "sink/sink.h"
#include "sink/trace_sweeper.h"

namespace traceproof {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct CollectorBenchFlags {
  std::vector<std::string> configs;
  std::string binary;  // empty: our otelcol (DefaultCollectorBinary)
  double trial_seconds = 3;
  double start_rate = 5000;  // spans/s
  double max_rate = 400000;  // spans/s
  int bisect_steps = 3;
  int spans_per_request = 100;
  int spans_per_trace = 5;
  int connections = 64;
  // Bound on a trial's drain. Above the seed's tail_sampling decision_wait (10 s) plus a batch
  // timeout: the drain ends as soon as the Collector reports it holds nothing, this is only
  // the limit for a Collector that never does.
  double drain_seconds = 30;
  std::string out;
  std::string figures_json;
  Reaper* reaper = nullptr;  // not a flag: main's, for the Collectors
};

// One fixed-rate trial against one target.
struct Trial {
  double offered_per_s = 0;     // spans/s the schedule asked for
  std::uint64_t offered = 0;    // spans in the requests actually sent
  std::uint64_t delivered = 0;  // spans the sink received during and after the trial
  double delivered_per_s = 0;   // over the load window
  double duration_s = 0;        // the load window
  // Spans of traces the Collector's tail sampler decided not to keep: the policy's choice, not
  // loss. From its own metrics (traces not sampled x --spans-per-trace).
  std::uint64_t sampled_out = 0;
  bool tail_sampling = false;
  // Accepted by the Collector but neither delivered, sampled out nor failed when the drain
  // bound passed: neither lost nor delivered (the Collector is restarted after such a trial so
  // that they cannot arrive during the next one).
  std::uint64_t still_held = 0;
  std::uint64_t dropped_too_early = 0;  // traces the tail sampler evicted undecided (loss)
  double drain_s = 0;
  std::uint64_t lost = 0;
  std::uint64_t request_errors = 0;
  std::uint64_t dropped_iterations = 0;
  double achieved_requests_per_s = 0;
  double target_requests_per_s = 0;
  bool queue_growing = false;
  std::uint64_t queue_max = 0;
  std::optional<double> cpu_percent;  // the Collector's; none for the sink alone
  bool sustainable = false;
  std::string why;            // when not sustainable
  std::string restart_error;  // the Collector did not come back after a restart
};

struct TargetResult {
  std::string name;    // "sink" or the config's file name
  std::string config;  // empty for the sink alone
  std::vector<Trial> trials;
  double max_sustainable_per_s = 0;
  bool hit_ceiling = false;  // sustained even --max-rate
  std::optional<Trial> at_max;
  std::optional<Trial> at_1_5x;
  std::optional<double> cpu_percent_per_10k;
  std::uint64_t peak_rss_bytes = 0;
  double mean_cpu_percent = 0;
  std::string error;
};

std::string UtcStamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string Rate(double per_s) {
  if (per_s >= 1e6) return fmt::format("{:.2f}M", per_s / 1e6);
  if (per_s >= 1e3) return fmt::format("{:.1f}k", per_s / 1e3);
  return fmt::format("{:.0f}", per_s);
}

// The sink, and optionally a Collector in front of it: what one column of the table measures.
class Target {
 public:
  bool Start(const CollectorBenchFlags& flags, const std::string& config, std::string& error) {
    SinkStartError sink_error;
    sink_ = MakeSink({}, store_, sink_error);
    if (!sink_) {
      error = sink_error.reason;
      return false;
    }
    sweeper_ = std::make_unique<TraceSweeper>(store_);
    if (config.empty()) return true;
    CollectorOptions o;
    o.binary = flags.binary.empty() ? DefaultCollectorBinary() : flags.binary;
    o.config = config;
    o.sink_grpc_endpoint = fmt::format("127.0.0.1:{}", sink_->grpc_port());
    o.reaper = flags.reaper;
    collector_ = std::make_unique<CollectorProcess>(o);
    const Status started = collector_->Start(kCollectorReadyTimeout);
    error = started.error;
    return started.ok();
  }
  void Stop() {
    if (collector_) collector_->Stop(kCollectorStopGrace);
    if (sink_) sink_->Stop();
    if (sweeper_) sweeper_->Stop();
  }
  std::uint16_t load_port() const {
    return collector_ ? static_cast<std::uint16_t>(collector_->otlp_http_port())
                      : sink_->http_port();
  }
  std::uint64_t delivered() const { return sink_->counters().spans_received.load(); }
  CollectorProcess* collector() { return collector_.get(); }
  // A stream of this process's own seed: another bench running at the same time, or this one
  // run again, sends different trace ids.
  std::uint64_t NextTrialSeed() { return StreamSeed(process_seed_, ++trials_); }
  // Throws away what a Collector still holds (SIGKILL, then the same ports again).
  bool RestartCollector(std::string& error) {
    collector_->Kill();
    return collector_->Restart(error);
  }

 private:
  // A trace completes after 200 ms without spans, and the sweeper takes it: a bounded store.
  TraceStore store_{TraceStoreOptions{.quiet_period = std::chrono::milliseconds(200)}};
  std::unique_ptr<Sink> sink_;
  std::unique_ptr<TraceSweeper> sweeper_;
  std::unique_ptr<CollectorProcess> collector_;
  std::uint64_t trials_ = 0;
  const std::uint64_t process_seed_ = DrawSeed();
};

// Spans a Collector accepted since `since` was zero that it has neither sent, failed to send,
// nor dropped with a trace its tail sampler decided not to keep or evicted undecided: what it
// still holds (a batch processor's spans show up as accepted and not sent). Only the figure;
// whether it holds anything is CollectorHoldsNothing's to say (run/drain.h).
std::uint64_t SpansStillHeld(const CollectorCounters& since, std::uint64_t spans_per_trace) {
  const std::uint64_t out =
      since.exporter_sent_spans + since.exporter_send_failed_spans +
      since.exporter_enqueue_failed_spans +
      (since.tail_traces_not_sampled + since.tail_traces_dropped_too_early) * spans_per_trace;
  return since.receiver_accepted_spans > out ? since.receiver_accepted_spans - out : 0;
}

// One trial's load: `requests_per_s` OTLP/HTTP exports for --trial-seconds, one thread.
OpenLoopOptions TrialLoad(const CollectorBenchFlags& flags, Target& target, double requests_per_s) {
  OpenLoopOptions o;
  LoadTarget lt;
  lt.port = target.load_port();
  lt.path = "/v1/traces";
  lt.span_load_spans = flags.spans_per_request;
  lt.spans_per_trace = flags.spans_per_trace;
  o.targets.push_back(lt);
  o.phases.push_back(ArrivalPhase::Constant(
      requests_per_s, std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::duration<double>(flags.trial_seconds))));
  o.threads = 1;
  // Trace ids are the sender's seed and a counter that starts again with every trial: the same
  // seed twice would send a tail sampler the ids it has already decided, whose spans it then
  // forwards or drops by the old decision, uncounted.
  o.seed = target.NextTrialSeed();
  o.connections = flags.connections;
  o.timeout = milliseconds(5000);
  return o;
}

struct LoadWindow {
  LoadStats stats;
  double wall_s = 0;
  std::vector<std::uint64_t> queue;  // exporter queue (batches) every 250 ms; none for the sink
};

// Runs the load on a thread of its own and samples the Collector's exporter queue meanwhile:
// backlog that grows over the trial means the rate is not sustainable.
LoadWindow RunLoadWindow(const OpenLoopOptions& o, CollectorProcess* collector) {
  LoadWindow w;
  std::atomic<bool> done{false};
  const auto begin = Clock::now();
  std::thread load([&] {
    w.stats = RunOpenLoop(o, nullptr, nullptr);
    done = true;
  });
  while (!done) {
    std::this_thread::sleep_for(milliseconds(250));
    if (collector && !done) w.queue.push_back(collector->Scrape().exporter_queue_size);
  }
  load.join();
  w.wall_s = std::chrono::duration<double>(Clock::now() - begin).count();
  return w;
}

// The run's drain (run/drain.h) with a trial's probes. A Collector says when it holds nothing
// of this trial (batch flushed, queue empty, every trace decided by a tail sampler, which waits
// decision_wait first), then 250 ms quiet at the sink; without its metrics, and for the sink
// alone: until everything offered arrived or nothing moved for 2 s (longer than a batch
// timeout). Bounded by --drain-seconds either way.
DrainResult DrainTrial(const CollectorBenchFlags& flags, Target& target,
                       const CollectorCounters& base, std::uint64_t delivered_before,
                       std::uint64_t offered) {
  CollectorProcess* collector = target.collector();
  const auto spans_per_trace = static_cast<std::uint64_t>(flags.spans_per_trace);
  DrainProbes p;
  p.moved = [&target] { return target.delivered(); };
  const auto arrived = [&target, delivered_before, offered] {
    return target.delivered() - delivered_before >= offered;
  };
  if (!collector) {
    p.all_arrived = arrived;
  } else {
    // Only when its metrics do not answer: a Collector that answers is waited for even once the
    // sink has everything, or its last counters would show spans it has sent as still held.
    p.all_arrived = [arrived, collector] {
      if (!arrived()) return false;
      std::string error;
      collector->Scrape(&error);
      return !error.empty();
    };
    p.holds_spans = [collector, &base, spans_per_trace]() -> std::optional<bool> {
      std::string error;
      const CollectorCounters c = collector->Scrape(&error);
      if (!error.empty()) return std::nullopt;
      return !CollectorHoldsNothing(SubtractCounters(c, base), spans_per_trace);
    };
  }
  DrainOptions o;
  o.quiet = collector ? milliseconds(250) : milliseconds(2000);
  o.quiet_when_unknown = milliseconds(2000);
  o.max = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(flags.drain_seconds));
  o.poll = collector ? milliseconds(250) : milliseconds(50);
  return DrainUntilSettled(p, o);
}

// The Collector's share of a trial, from its counters since `base`. One that still holds spans
// is restarted: they would arrive during the next trial and count there as delivered.
void AccountCollector(const CollectorBenchFlags& flags, Target& target,
                      const CollectorCounters& base, double cpu_before, double load_s, Trial& t) {
  CollectorProcess* collector = target.collector();
  const auto spans_per_trace = static_cast<std::uint64_t>(flags.spans_per_trace);
  // Every CPU second the trial's spans cost, a tail sampler's decisions and the last batch
  // after the load included, per second of load: what that rate needs in a steady state.
  t.cpu_percent = 100.0 * (collector->Metrics().cpu_seconds - cpu_before) / load_s;
  const CollectorCounters d = SubtractCounters(collector->Scrape(), base);
  t.tail_sampling = d.tail_sampling;
  t.sampled_out = d.tail_traces_not_sampled * spans_per_trace;
  t.dropped_too_early = d.tail_traces_dropped_too_early;
  t.still_held = SpansStillHeld(d, spans_per_trace);
  if (!CollectorHoldsNothing(d, spans_per_trace)) {
    std::string error;
    if (!target.RestartCollector(error)) t.restart_error = error;
  }
}

std::string WhyNotSustainable(const Trial& t, bool on_schedule) {
  if (t.lost) {
    return fmt::format("lost {} of {} spans{}", t.lost, t.offered,
                       t.dropped_too_early ? fmt::format(" ({} traces evicted by tail_sampling "
                                                         "before a decision)",
                                                         t.dropped_too_early)
                                           : std::string());
  }
  if (t.still_held) {
    return fmt::format("{} spans still in the Collector after a {:.0f} s drain", t.still_held,
                       t.drain_s);
  }
  if (t.request_errors) return fmt::format("{} export requests failed", t.request_errors);
  if (!on_schedule) {
    return fmt::format("generator behind: {:.0f} of {:.0f} requests/s, {} iterations dropped",
                       t.achieved_requests_per_s, t.target_requests_per_s, t.dropped_iterations);
  }
  if (t.queue_growing) return fmt::format("exporter queue growing (to {} batches)", t.queue_max);
  if (!t.restart_error.empty())
    return "the Collector did not restart after holding spans past the drain";
  return "";
}

// Sustainable: zero loss, nothing still held, every export answered 2xx, the generator on
// schedule (within 5 %), the exporter queue not growing (its last sample above every one of
// the first half), and the Collector back after a restart.
void JudgeTrial(const std::vector<std::uint64_t>& queue, Trial& t) {
  if (!queue.empty()) {
    t.queue_max = *std::max_element(queue.begin(), queue.end());
    const std::size_t half = queue.size() / 2;
    const std::uint64_t first_half_max =
        half ? *std::max_element(queue.begin(), queue.begin() + static_cast<long>(half)) : 0;
    t.queue_growing = queue.back() > 1 && queue.back() > first_half_max;
  }
  const bool on_schedule =
      t.dropped_iterations == 0 && std::fabs(t.achieved_requests_per_s - t.target_requests_per_s) <=
                                       0.05 * t.target_requests_per_s;
  t.sustainable = t.lost == 0 && t.still_held == 0 && t.request_errors == 0 && on_schedule &&
                  !t.queue_growing && t.restart_error.empty();
  t.why = WhyNotSustainable(t, on_schedule);
}

Trial RunTrial(const CollectorBenchFlags& flags, Target& target, double spans_per_s) {
  Trial t;
  t.offered_per_s = spans_per_s;
  t.target_requests_per_s = spans_per_s / flags.spans_per_request;
  const std::uint64_t delivered_before = target.delivered();
  CollectorProcess* collector = target.collector();
  const double cpu_before = collector ? collector->Metrics().cpu_seconds : 0;
  // The previous trial ended with the Collector holding nothing (or it was restarted), so
  // counters from here on are this trial's.
  const CollectorCounters base = collector ? collector->Scrape() : CollectorCounters{};
  const LoadWindow load =
      RunLoadWindow(TrialLoad(flags, target, t.target_requests_per_s), collector);
  const LoadStats& stats = load.stats;
  t.offered = stats.sent * static_cast<std::uint64_t>(flags.spans_per_request);
  const DrainResult drain = DrainTrial(flags, target, base, delivered_before, t.offered);
  t.drain_s = std::chrono::duration<double>(drain.took).count();
  t.delivered = target.delivered() - delivered_before;
  t.duration_s = std::max(1e-3, stats.duration_s);
  t.delivered_per_s = static_cast<double>(t.delivered) / t.duration_s;
  if (collector) AccountCollector(flags, target, base, cpu_before, load.wall_s, t);
  const std::uint64_t accounted = t.delivered + t.sampled_out + t.still_held;
  t.lost = t.offered > accounted ? t.offered - accounted : 0;
  t.request_errors = stats.sent > stats.ok ? stats.sent - stats.ok : 0;  // not 2xx
  t.dropped_iterations = stats.dropped_iterations;
  t.achieved_requests_per_s = stats.AchievedRatePerS();
  JudgeTrial(load.queue, t);
  return t;
}

TargetResult Measure(const CollectorBenchFlags& flags, const std::string& config) {
  TargetResult r;
  r.config = config;
  r.name = config.empty() ? "sink alone" : fs::path(config).stem().string();
  Target target;
  std::string error;
  if (!target.Start(flags, config, error)) {
    target.Stop();
    r.error = error;
    return r;
  }
  auto trial = [&](double rate) {
    Trial t = RunTrial(flags, target, rate);
    fmt::print(stderr, "  {:<22} {:>8} spans/s offered: {:>8} delivered/s{}, {}\n", r.name,
               Rate(rate), Rate(t.delivered_per_s),
               t.tail_sampling
                   ? fmt::format(" (+{}/s sampled out)", Rate(t.sampled_out / t.duration_s))
                   : std::string(),
               t.sustainable ? "sustained" : t.why);
    r.trials.push_back(t);
    if (!t.restart_error.empty()) r.error = t.restart_error;
    return t;
  };
  // Doubling until a trial fails (or the ceiling), then bisection between the last good and
  // the first bad rate.
  double good = 0, bad = 0;
  for (double rate = flags.start_rate; rate <= flags.max_rate * 1.0001; rate *= 2) {
    if (trial(rate).sustainable) {
      good = rate;
    } else {
      bad = rate;
      break;
    }
    if (rate * 2 > flags.max_rate && rate < flags.max_rate) rate = flags.max_rate / 2;
  }
  if (bad == 0) {
    r.hit_ceiling = true;
  } else {
    for (int i = 0; i < flags.bisect_steps; ++i) {
      const double mid = (good + bad) / 2;
      if (trial(mid).sustainable) {
        good = mid;
      } else {
        bad = mid;
      }
    }
  }
  r.max_sustainable_per_s = good;
  for (const Trial& t : r.trials)
    if (t.offered_per_s == good && t.sustainable) r.at_max = t;
  if (r.at_max && r.at_max->cpu_percent && good > 0)
    r.cpu_percent_per_10k = *r.at_max->cpu_percent / (good / 1e4);
  if (good > 0) r.at_1_5x = trial(1.5 * good);
  if (CollectorProcess* c = target.collector()) {
    const ProcessMetrics res = c->Metrics();
    r.peak_rss_bytes = res.peak_rss_bytes;
    r.mean_cpu_percent = res.mean_cpu_percent;
  }
  target.Stop();
  return r;
}

nlohmann::json TrialJson(const Trial& t) {
  nlohmann::json j = {{"offered_spans_per_s", t.offered_per_s},
                      {"offered_spans", t.offered},
                      {"delivered_spans", t.delivered},
                      {"delivered_spans_per_s", t.delivered_per_s},
                      {"lost_spans", t.lost},
                      {"drain_s", t.drain_s},
                      {"request_errors", t.request_errors},
                      {"dropped_iterations", t.dropped_iterations},
                      {"achieved_requests_per_s", t.achieved_requests_per_s},
                      {"target_requests_per_s", t.target_requests_per_s},
                      {"exporter_queue_max_batches", t.queue_max},
                      {"exporter_queue_growing", t.queue_growing},
                      {"sustainable", t.sustainable}};
  if (t.cpu_percent) j["collector_cpu_percent"] = *t.cpu_percent;
  if (t.tail_sampling) {
    j["sampled_out_spans"] = t.sampled_out;
    j["tail_sampling_traces_dropped_too_early"] = t.dropped_too_early;
  }
  if (t.still_held) j["still_held_after_drain_spans"] = t.still_held;
  if (!t.why.empty()) j["why"] = t.why;
  return j;
}

// Delivered spans/s, plus those a tail sampler decided not to keep: for a sampling config the
// line to compare with offered (delivered alone would be ~1 % of it by design).
double Handled(const Trial& t) {
  return t.delivered_per_s + static_cast<double>(t.sampled_out) / std::max(1e-3, t.duration_s);
}

// Offered vs delivered spans/s for every trial of every target (left), max sustainable rate
// with CPU and RSS (right). Plain SVG: no dependency, readable in any browser.
std::string Chart(const std::vector<TargetResult>& results) {
  const char* colors[] = {"#555555", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
  double max_rate = 1;
  for (const auto& r : results)
    for (const auto& t : r.trials) max_rate = std::max({max_rate, t.offered_per_s, Handled(t)});
  const double w = 420, h = 300, x0 = 70, y0 = 40;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1000\" height=\"420\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"1000\" height=\"420\" "
      "fill=\"white\"/>\n<text x=\"{}\" y=\"22\" font-size=\"14\">spans/s offered vs delivered "
      "(each trial; filled = sustained)</text>\n",
      x0);
  auto X = [&](double v) { return x0 + w * v / max_rate; };
  auto Y = [&](double v) { return y0 + h - h * v / max_rate; };
  svg += fmt::format(
      "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"black\"/>\n<line x1=\"{0}\" "
      "y1=\"{3}\" x2=\"{0}\" y2=\"{1}\" stroke=\"black\"/>\n<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" "
      "y2=\"{3}\" stroke=\"#bbbbbb\" stroke-dasharray=\"4\"/>\n",
      x0, y0 + h, x0 + w, y0);
  for (int i = 0; i <= 4; ++i) {
    const double v = max_rate * i / 4;
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n<text x=\"{}\" y=\"{}\" "
        "text-anchor=\"end\">{}</text>\n",
        X(v), y0 + h + 16, Rate(v), x0 - 6, Y(v) + 4, Rate(v));
  }
  svg += fmt::format(
      "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">offered spans/s</text>\n<text x=\"16\" "
      "y=\"{}\" transform=\"rotate(-90 16 {})\" text-anchor=\"middle\">delivered (+ sampled out) "
      "spans/s</text>\n",
      x0 + w / 2, y0 + h + 34, y0 + h / 2, y0 + h / 2);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const char* color = colors[i % 6];
    std::vector<const Trial*> sorted;
    for (const auto& t : results[i].trials) sorted.push_back(&t);
    std::sort(sorted.begin(), sorted.end(),
              [](const Trial* a, const Trial* b) { return a->offered_per_s < b->offered_per_s; });
    std::string points;
    for (const Trial* t : sorted) {
      points += fmt::format("{:.1f},{:.1f} ", X(t->offered_per_s), Y(Handled(*t)));
      svg +=
          fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" stroke=\"{}\" fill=\"{}\"/>\n",
                      X(t->offered_per_s), Y(Handled(*t)), color, t->sustainable ? color : "white");
    }
    svg += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\"/>\n", points, color);
  }
  // Right: one bar per target, its max sustainable rate, annotated with CPU and RSS.
  const double bx = 560, bw = 400, bh = 300;
  double top = 1;
  for (const auto& r : results) top = std::max(top, r.max_sustainable_per_s);
  svg += fmt::format(
      "<text x=\"{}\" y=\"22\" font-size=\"14\">max sustainable spans/s (zero loss)</text>\n", bx);
  const double bar_h = std::min(50.0, bh / std::max<std::size_t>(1, results.size()) - 14);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const TargetResult& r = results[i];
    const double y = y0 + i * (bar_h + 30);
    const double len = (bw - 10) * r.max_sustainable_per_s / top;
    std::string note = Rate(r.max_sustainable_per_s) + (r.hit_ceiling ? "+" : "") + " spans/s";
    if (r.cpu_percent_per_10k)
      note += fmt::format(", {:.1f}% CPU per 10k/s", *r.cpu_percent_per_10k);
    if (r.peak_rss_bytes) note += fmt::format(", {:.0f} MiB RSS", r.peak_rss_bytes / 1048576.0);
    if (!r.error.empty()) note = "did not run";
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\">{}</text>\n<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" "
        "height=\"{}\" fill=\"{}\"/>\n<text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>\n",
        bx, y + 12, r.name, bx, y + 16, std::max(1.0, len), bar_h - 14, colors[i % 6], bx,
        y + bar_h + 12, note);
  }
  svg += "</svg>\n";
  return svg;
}

// What must hold before any process starts; an exit code when it does not.
std::optional<int> CheckFlags(const CollectorBenchFlags& flags, const std::string& binary) {
  if (access(binary.c_str(), X_OK) != 0) {
    std::cerr << "traceproof bench collector: the Collector binary " << binary
              << " is missing: build it with scripts/build-collector (or pass --binary)\n";
    return kExitEnvironment;
  }
  if (flags.spans_per_request % flags.spans_per_trace != 0) {
    // A tail sampler reports its decisions in traces; spans sampled out are traces x this, exact
    // only when every trace has the same number of spans.
    std::cerr << "traceproof bench collector: --spans-per-request (" << flags.spans_per_request
              << ") must be a multiple of --spans-per-trace (" << flags.spans_per_trace << ")\n";
    return kExitUsage;
  }
  for (const std::string& c : flags.configs) {
    if (!fs::is_regular_file(c)) {
      std::cerr << "traceproof bench collector: config '" << c << "' not found\n";
      return kExitUsage;
    }
  }
  return std::nullopt;
}

// `first` is the first config's max sustainable rate (0: none, or this is the sink).
void PrintTargetRow(const TargetResult& r, double sink_rate, std::optional<double> first,
                    int spans_per_request) {
  if (!r.error.empty()) {
    fmt::print("{:<24} did not run: {}\n", r.name, r.error.substr(0, r.error.find('\n')));
    return;
  }
  fmt::print(
      "{:<24} {:>13}{} {:>10} {:>14} {:>10} {:>24} {:>9}\n", r.name, Rate(r.max_sustainable_per_s),
      r.hit_ceiling ? "+" : " ",
      sink_rate > 0 ? fmt::format("{:.2f}x", r.max_sustainable_per_s / sink_rate) : "-",
      r.cpu_percent_per_10k ? fmt::format("{:.1f}", *r.cpu_percent_per_10k) : "-",
      r.peak_rss_bytes ? fmt::format("{:.0f}", r.peak_rss_bytes / 1048576.0) : "-",
      r.at_1_5x
          ? fmt::format("{:.2f}% of {}/s",
                        r.at_1_5x->offered ? 100.0 * r.at_1_5x->lost / r.at_1_5x->offered : 0.0,
                        Rate(r.at_1_5x->achieved_requests_per_s * spans_per_request))
          : "-",
      first && *first > 0 ? fmt::format("{:.2f}x", r.max_sustainable_per_s / *first) : "-");
}

void PrintTable(const std::vector<TargetResult>& results, const CollectorBenchFlags& flags) {
  const double sink_rate = results.front().max_sustainable_per_s;
  fmt::print("\n{:<24} {:>14} {:>10} {:>14} {:>10} {:>24} {:>9}\n", "target", "max spans/s",
             "vs sink", "CPU%/10k/s", "RSS MiB", "loss at 1.5x (sent)", "vs first");
  for (std::size_t i = 0; i < results.size(); ++i) {
    std::optional<double> first;
    if (i >= 1) first = results[1].max_sustainable_per_s;
    PrintTargetRow(results[i], sink_rate, first, flags.spans_per_request);
  }
  fmt::print(
      "(max spans/s: highest rate with zero loss, the generator on schedule and the exporter "
      "queue not growing; '+' = still sustained at --max-rate. CPU%/10k/s: the Collector's CPU "
      "for that trial's spans, drain included, per second of load, 100% = one core. Loss at "
      "1.5x: of what the generator managed to send (sent spans/s). Spans in traces a tail "
      "sampler decided not to keep are not loss. The load generator, the sink and the Collector "
      "share this machine)\n");
}

// What a tail sampler did at the max sustainable rate, and whether the trials were too short
// for its memory to reach a steady state.
void PrintTailSamplingNotes(const std::vector<TargetResult>& results,
                            const CollectorBenchFlags& flags) {
  for (const TargetResult& r : results) {
    if (!r.at_max || !r.at_max->tail_sampling) continue;
    const Trial& t = *r.at_max;
    fmt::print(
        "{}: tail sampling: at {} spans/s {} of {} spans sampled out by its policy "
        "({:.2f}% kept), {} delivered\n",
        r.name, Rate(t.offered_per_s), t.sampled_out, t.offered,
        t.offered ? 100.0 * (t.offered - t.sampled_out) / t.offered : 0.0, t.delivered);
    // The sampler holds every trace for decision_wait (about the drain): a shorter trial ends
    // before its memory reaches what a steady load holds, which the memory limiter then misses.
    if (flags.trial_seconds < t.drain_s) {
      fmt::print(
          "{}: trials of {:g} s are shorter than the {:.0f} s its sampler holds traces: "
          "memory never reaches a steady state, so this rate is optimistic; rerun with "
          "--trial-seconds {:.0f} or more\n",
          r.name, flags.trial_seconds, t.drain_s, std::ceil(t.drain_s + 1));
    }
  }
}

nlohmann::json TargetJson(const TargetResult& r, double sink_rate) {
  nlohmann::json trials = nlohmann::json::array();
  for (const Trial& t : r.trials) trials.push_back(TrialJson(t));
  nlohmann::json j = {{"name", r.name},
                      {"config", r.config},
                      {"max_sustainable_spans_per_s", r.max_sustainable_per_s},
                      {"reached_max_rate", r.hit_ceiling},
                      {"ratio_to_sink", sink_rate > 0 ? r.max_sustainable_per_s / sink_rate : 0},
                      {"peak_rss_bytes", r.peak_rss_bytes},
                      {"mean_cpu_percent", r.mean_cpu_percent},
                      {"trials", trials}};
  if (r.cpu_percent_per_10k) j["cpu_percent_per_10k_spans_per_s"] = *r.cpu_percent_per_10k;
  if (r.at_1_5x) j["at_1_5x"] = TrialJson(*r.at_1_5x);
  if (!r.error.empty()) j["error"] = r.error;
  return j;
}

void WriteResults(const fs::path& out, const std::vector<TargetResult>& results,
                  const CollectorBenchFlags& flags, const std::string& binary) {
  nlohmann::json targets = nlohmann::json::array();
  for (const TargetResult& r : results)
    targets.push_back(TargetJson(r, results.front().max_sustainable_per_s));
  nlohmann::json bench = {{"benchmark", "collector"},
                          {"collector_binary", binary},
                          {"spans_per_request", flags.spans_per_request},
                          {"spans_per_trace", flags.spans_per_trace},
                          {"trial_seconds", flags.trial_seconds},
                          {"cores", std::thread::hardware_concurrency()},
                          {"targets", targets}};
  std::ofstream(out / "bench.json") << bench.dump(2) << "\n";
  std::ofstream(out / "bench.svg") << Chart(results);
  fmt::print("results in {} (bench.json, bench.svg)\n", out.string());
}

// Spans/s one core carries: from the CPU a target used per 10 k spans/s.
std::optional<double> PerCore(const TargetResult& r) {
  if (!r.cpu_percent_per_10k || *r.cpu_percent_per_10k <= 0) return std::nullopt;
  return 10000.0 * 100.0 / *r.cpu_percent_per_10k;
}

// For `bench all`: the sink's spans/s per core beside each Collector config's.
std::vector<BenchFigure> Figures(const std::vector<TargetResult>& results) {
  std::vector<BenchFigure> figures;
  const std::optional<double> sink = PerCore(results.front());
  for (std::size_t i = 1; i < results.size(); ++i) {
    const std::optional<double> peer = PerCore(results[i]);
    BenchFigure f{"bench collector: sink alone, per core",
                  sink.value_or(0),
                  "spans/s per core",
                  "Collector " + results[i].name,
                  peer.value_or(0),
                  0,
                  ">= 5x the peer per core",
                  std::nullopt,
                  ""};
    if (sink && peer) {
      f.ratio = *sink / *peer;
      f.met = f.ratio >= 5;
    } else {
      f.note = "no CPU figure for the sink or the Collector";
    }
    if (results.front().hit_ceiling)
      f.note = "the sink sustained --max-rate: the sender is the limit";
    figures.push_back(std::move(f));
  }
  return figures;
}

int RunCollectorBench(const CollectorBenchFlags& flags) {
  const std::string binary = flags.binary.empty() ? DefaultCollectorBinary() : flags.binary;
  if (const std::optional<int> bad = CheckFlags(flags, binary)) return *bad;
  const fs::path out = flags.out.empty() ? fs::path("results") / "bench-collector" / UtcStamp()
                                         : fs::path(flags.out);
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) {
    std::cerr << "traceproof bench collector: cannot create '" << out.string()
              << "': " << ec.message() << "\n";
    return kExitEnvironment;
  }
  fmt::print(stderr,
             "bench collector: {} spans per OTLP/HTTP export, {} per trace, {:.0f} s trials, "
             "from {} spans/s up to {} (doubling, then {} bisection steps)\n",
             flags.spans_per_request, flags.spans_per_trace, flags.trial_seconds,
             Rate(flags.start_rate), Rate(flags.max_rate), flags.bisect_steps);
  std::vector<TargetResult> results;
  results.push_back(Measure(flags, ""));  // the peer: the embedded sink alone, same load
  for (const std::string& c : flags.configs) results.push_back(Measure(flags, c));
  PrintTable(results, flags);
  PrintTailSamplingNotes(results, flags);
  WriteResults(out, results, flags, binary);
  if (!WriteFigures(flags.figures_json, Figures(results))) return kExitEnvironment;
  const bool any_failed = std::any_of(results.begin(), results.end(),
                                      [](const TargetResult& r) { return !r.error.empty(); });
  return any_failed ? kExitEnvironment : kExitOk;
}

}  // namespace

CommandRun AddCollectorBench(CLI::App& bench, const CommandContext& context) {
  auto flags = std::make_shared<CollectorBenchFlags>();
  CLI::App* cmd = bench.add_subcommand(
      "collector",
      "Collector configs side by side: max sustainable spans/s (zero loss), CPU per 10k "
      "spans/s, RSS, loss at 1.5x, beside the embedded sink alone; table, bench.json, bench.svg");
  cmd->add_option("configs", flags->configs,
                  "Collector config files (e.g. compose/collector/bench/*.yaml)")
      ->required();
  cmd->add_option("--binary", flags->binary,
                  "Collector binary (default: scripts/build-collector's)");
  cmd->add_option("--trial-seconds", flags->trial_seconds, "Length of each fixed-rate trial")
      ->check(CLI::Range(0.5, 120.0))
      ->capture_default_str();
  cmd->add_option("--start-rate", flags->start_rate, "First rate tried, spans/s")
      ->check(CLI::Range(1.0, 1e8))
      ->capture_default_str();
  cmd->add_option("--max-rate", flags->max_rate, "Highest rate tried, spans/s")
      ->check(CLI::Range(1.0, 1e8))
      ->capture_default_str();
  cmd->add_option("--bisect", flags->bisect_steps, "Bisection steps after the first failure")
      ->check(CLI::Range(0, 10))
      ->capture_default_str();
  cmd->add_option("--spans-per-request", flags->spans_per_request, "Spans per OTLP export")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--spans-per-trace", flags->spans_per_trace, "Spans per synthetic trace")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--connections", flags->connections, "Load generator connections")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--drain-seconds", flags->drain_seconds,
                  "Longest wait after a trial for the Collector to hold nothing (above a tail "
                  "sampler's decision_wait)")
      ->check(CLI::Range(1.0, 600.0))
      ->capture_default_str();
  cmd->add_option("--out", flags->out, "Results folder (default results/bench-collector/<UTC>/)");
  AddFiguresOption(*cmd, flags->figures_json);
  return [flags, &context] {
    flags->reaper = context.reaper;
    return RunCollectorBench(*flags);
  };
}

}  // namespace traceproof
