#include "report/run_text.h"

#include <fmt/format.h>

#include <algorithm>

#include "checks/critical_path.h"
#include "report/tree_text.h"
#include "store/trace_shape.h"

namespace traceproof {
namespace {

std::string Ms(std::uint64_t ns) { return FormatDuration(static_cast<std::int64_t>(ns)); }

}  // namespace

std::string LoadStatsText(const LoadStats& l) {
  std::string out;
  fmt::format_to(std::back_inserter(out),
                 "  requests  {} sent of {} scheduled over {:.1f} s: {:.1f}/s achieved, {:.1f}/s "
                 "target; {} ok",
                 l.sent, l.scheduled, l.duration_s, l.AchievedRatePerS(), l.target_rate_per_s,
                 l.ok);
  for (const auto& [status, n] : l.by_status)
    if (status < 200 || status >= 300)
      fmt::format_to(std::back_inserter(out), ", {} × {}", n, status);
  out += "\n";
  fmt::format_to(std::back_inserter(out),
                 "  errors    connect {}, timeout {}, reset {}, other {}; dropped iterations {}\n",
                 l.errors_connect, l.errors_timeout, l.errors_reset, l.errors_other,
                 l.dropped_iterations);
  auto row = [&](const char* name, const Histogram& h) {
    fmt::format_to(std::back_inserter(out), "  {:<11} p50 {:>9}  p90 {:>9}  p99 {:>9}  max {:>9}\n",
                   name, Ms(h.ValueAtPercentile(50)), Ms(h.ValueAtPercentile(90)),
                   Ms(h.ValueAtPercentile(99)), Ms(h.Max()));
  };
  row("corrected", l.corrected);
  row("uncorrected", l.uncorrected);
  return out;
}

std::string RunReportText(const Scenario& scenario, const RunOutcome& outcome,
                          const RunVerdict& verdict) {
  std::string out = fmt::format("scenario {} ({})\n", scenario.name, scenario.file);
  if (outcome.status == RunOutcome::Status::kEnvironmentError)
    return out + "  could not run: " + outcome.error + "\n";
  if (outcome.status == RunOutcome::Status::kInterrupted)
    out += "  interrupted: the figures below cover the run until the stop\n";
  out += "\nload (latency from intended start = corrected; from actual send = uncorrected)\n";
  out += LoadStatsText(outcome.data.load);
  out += "\nspans\n";
  fmt::format_to(std::back_inserter(out), "  ground truth {} spans started by the services\n",
                 outcome.ground_truth_spans);
  for (const HopCounters& h : outcome.data.hops) {
    std::string dropped;
    for (const auto& [reason, n] : h.dropped)
      if (n) dropped += fmt::format(", {} {}", n, reason);
    fmt::format_to(std::back_inserter(out), "  {:<12} {} received, {} passed on{}\n", h.name,
                   h.received, h.passed_on, dropped);
  }
  fmt::format_to(std::back_inserter(out), "  {:<12} {} traces assembled{}\n", "",
                 outcome.traces.records - outcome.traces.update_records,
                 outcome.traces.update_records ? fmt::format(", {} update records of late spans",
                                                             outcome.traces.update_records)
                                               : "");
  if (const auto& f = outcome.forward) {
    fmt::format_to(std::back_inserter(out),
                   "  {:<12} {} spans passed on to {}, {} failed, {} dropped{}\n", "forward",
                   f->spans_forwarded, f->endpoint, f->spans_failed, f->spans_dropped,
                   f->last_error.empty() ? "" : " (" + f->last_error + ")");
  }
  // An external Collector (not started by traceproof) has no CPU or RSS samples of ours.
  if (const auto& c = outcome.collector; c && c->resources.samples > 0) {
    fmt::format_to(
        std::back_inserter(out),
        "\ncollector\n  {:.1f}% CPU mean ({:.1f}% peak, 100% = one core), {:.1f} MiB RSS "
        "peak{}{}\n",
        c->resources.mean_cpu_percent, c->resources.peak_cpu_percent,
        double(c->resources.peak_rss_bytes) / (1 << 20),
        c->kills ? fmt::format(", killed {}x, restarted {}x", c->kills, c->restarts)
                 : std::string(),
        c->exit_status > 0 ? fmt::format(", exit status {}", c->exit_status) : std::string());
  }

  if (const Trace* slow = outcome.traces.slowest.get()) {
    const TraceShape shape = AnalyzeTrace(*slow);
    const std::vector<std::size_t> path = CriticalPath(*slow, shape);
    out += "\nslowest trace\n";
    out += TraceTreeText(*slow, &path);
  }

  out += "\nchecks\n";
  for (const CheckResult& r : outcome.results) {
    fmt::format_to(std::back_inserter(out), "  {} {:<11} {}\n", r.passed ? "PASS" : "FAIL", r.kind,
                   r.label);
    if (!r.reason.empty()) fmt::format_to(std::back_inserter(out), "       {}\n", r.reason);
    if (!r.passed && !r.evidence.empty()) {
      const std::size_t n = std::min<std::size_t>(r.evidence.size(), 3);
      fmt::format_to(std::back_inserter(out), "       e.g. trace {}\n",
                     fmt::join(r.evidence.begin(), r.evidence.begin() + n, ", "));
    }
    if (r.pos.line)
      fmt::format_to(std::back_inserter(out), "       ({}:{})\n", r.pos.file, r.pos.line);
  }
  const std::size_t failed =
      static_cast<std::size_t>(std::count_if(outcome.results.begin(), outcome.results.end(),
                                             [](const CheckResult& r) { return !r.passed; }));
  out += "\n";
  if (scenario.expect.pass) {
    fmt::format_to(std::back_inserter(out), "verdict: {} ({} of {} checks passed)\n",
                   verdict.checks_passed ? "PASS" : "FAIL", outcome.results.size() - failed,
                   outcome.results.size());
  } else {
    fmt::format_to(std::back_inserter(out),
                   "verdict: {} — {} (this scenario demonstrates a failure)\n",
                   verdict.checks_passed ? "PASS" : "FAIL",
                   verdict.as_expected ? "as expected" : "NOT as expected: " + verdict.why);
  }
  return out;
}

}  // namespace traceproof
