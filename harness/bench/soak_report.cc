#include "bench/soak_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

namespace traceproof {
namespace {

double MiB(std::uint64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

std::string Reasons(const SpanReasons& reasons) {
  if (reasons.empty()) return "";
  std::string s = " (";
  for (std::size_t i = 0; i < reasons.size(); ++i)
    s += fmt::format("{}{} {}", i ? ", " : "", reasons[i].first, reasons[i].second);
  return s + ")";
}

double MeanCpuPct(const SoakSample& from, const SoakSample& to) {
  const double dt = to.t_s - from.t_s;
  return dt > 0 ? 100 * (to.cpu_s - from.cpu_s) / dt : 0;
}

// RSS at 0 s, 10 s, 20 s, ...: the curve at a glance; the whole one goes to --out.
void PrintCurve(const std::vector<SoakSample>& samples) {
  std::string line;
  double next_s = 0;
  for (const SoakSample& s : samples) {
    if (s.t_s + 0.5 < next_s) continue;
    line += fmt::format(" {:.0f}", MiB(s.rss_bytes));
    next_s += 10;
  }
  fmt::print("  RSS (MiB) every 10 s from the start:{}\n", line);
}

void PrintSpans(const SpanAccount& a) {
  fmt::print(
      "  spans: sent {} = accepted by the sink {} + refused {}{} + dropped before the sink "
      "{}{} + unaccounted {}\n",
      a.sent, a.accepted, a.Refused(), Reasons(a.refused), a.Dropped(),
      Reasons(a.dropped_before_sink), a.unaccounted);
  fmt::print("         evicted from a full store {}; lost (sent, not kept for the checks) {}; {}\n",
             a.evicted, a.Lost(),
             a.spans_in_traces ? fmt::format("in traces (throughput check) {}", *a.spans_in_traces)
                               : std::string("no throughput check result to compare"));
  for (const std::string& m : a.mismatches) fmt::print("         DOES NOT ADD UP: {}\n", m);
}

void PrintRss(const RssFigures& r, const SoakVerdictInput& in) {
  fmt::print(
      "  RSS: start {:.1f} MiB (at {:.0f} s), reference {:.1f} MiB (at {:.0f} s, {}), end of "
      "load {:.1f} MiB (at {:.0f} s); peak {:.1f} MiB\n",
      MiB(r.start.rss_bytes), r.start.t_s, MiB(r.ref.rss_bytes), r.ref.t_s,
      r.ref_target_s >= 60 ? "minute 1" : "1/3 of the run", MiB(r.end.rss_bytes), r.end.t_s,
      MiB(r.peak_bytes));
  const bool within = r.growth_pct < in.max_growth_pct;
  fmt::print("  growth after the reference: {:+.1f} % ({:+.1f} MiB); bound {:.1f} %: {}{}\n",
             r.growth_pct, MiB(r.end.rss_bytes) - MiB(r.ref.rss_bytes), in.max_growth_pct,
             within ? "within" : "EXCEEDED", in.report_only_growth ? " (reported only)" : "");
  fmt::print(
      "  CPU: {:.0f} % mean during the load, {:.0f} % over the whole soak (100 % = one "
      "core; load, services and sink share it)\n",
      r.load_cpu_pct, r.overall_cpu_pct);
}

}  // namespace

RssFigures AnalyzeRss(const std::vector<SoakSample>& samples, double duration_s) {
  RssFigures r;
  if (samples.empty()) return r;
  r.ref_target_s = duration_s >= 180 ? 60 : duration_s / 3;
  r.start = samples.front();
  r.end = samples.back();
  for (const SoakSample& s : samples) {
    r.peak_bytes = std::max(r.peak_bytes, s.rss_bytes);
    if (s.phase != "after") r.end = s;
  }
  auto ref = std::find_if(samples.begin(), samples.end(),
                          [&](const SoakSample& s) { return s.t_s >= r.ref_target_s; });
  r.enough_samples = ref != samples.end() && ref->t_s < r.end.t_s;
  r.ref = ref != samples.end() ? *ref : samples.back();
  r.growth_pct =
      r.ref.rss_bytes > 0
          ? 100 * (static_cast<double>(r.end.rss_bytes) - static_cast<double>(r.ref.rss_bytes)) /
                static_cast<double>(r.ref.rss_bytes)
          : 0;
  auto load = std::find_if(samples.begin(), samples.end(),
                           [](const SoakSample& s) { return s.phase == "load"; });
  r.load_cpu_pct = MeanCpuPct(load != samples.end() ? *load : r.start, r.end);
  r.overall_cpu_pct = MeanCpuPct(SoakSample{}, samples.back());
  return r;
}

void PrintSoakHeader(bool services, double rate_per_s, int spans_per_request, int spans_per_trace,
                     double duration_s) {
  if (services) {
    fmt::print(
        "bench soak --services: checkout-baseline, gateway POST /checkout at {:.0f} requests/s "
        "for {:.0f} s; one `traceproof run` in this process, RSS and CPU sampled every second\n",
        rate_per_s, duration_s);
  } else {
    fmt::print(
        "bench soak --spans: {:.0f} spans/s ({:.1f} OTLP requests/s of {} spans, {} per trace) "
        "for {:.0f} s; one `traceproof run` in this process, RSS and CPU sampled every second\n",
        rate_per_s, rate_per_s / spans_per_request, spans_per_request, spans_per_trace, duration_s);
  }
  std::fflush(stdout);
}

bool PrintSoakReport(const std::vector<SoakSample>& samples, const SoakVerdictInput& in) {
  const RssFigures& r = in.rss;
  const RunOutcome& o = in.outcome;
  fmt::print(
      "  run: {:.1f} s wall, {} requests sent ({} ok, {} errors, {} iterations not started)\n",
      o.wall_seconds, o.data.load.sent, o.data.load.ok, o.data.load.Errors(),
      o.data.load.dropped_iterations);
  PrintCurve(samples);
  PrintRss(r, in);
  PrintSpans(in.spans);
  std::vector<std::string> failed;
  for (const CheckResult& c : o.results) {
    fmt::print("  check {} {}: {} ({})\n", c.kind, c.label, c.passed ? "passed" : "FAILED",
               c.reason);
    if (!c.passed) failed.push_back("check " + c.kind + " " + c.label);
  }
  if (o.status == RunOutcome::Status::kInterrupted) failed.push_back("interrupted");
  if (!r.enough_samples) failed.push_back("too few samples for a growth figure");
  if (!in.report_only_growth && r.growth_pct >= in.max_growth_pct)
    failed.push_back(
        fmt::format("RSS growth {:.1f} % >= {:.1f} %", r.growth_pct, in.max_growth_pct));
  if (in.spans.Lost() > 0) failed.push_back(fmt::format("{} spans lost", in.spans.Lost()));
  if (!in.spans.AddsUp()) failed.push_back("span counts do not add up");
  if (failed.empty()) {
    fmt::print("  soak: PASS\n");
  } else {
    std::string why;
    for (const std::string& f : failed) why += (why.empty() ? "" : "; ") + f;
    fmt::print("  soak: FAIL: {}\n", why);
  }
  return failed.empty();
}

}  // namespace traceproof
