#include "compare/compare_text.h"

#include <fmt/format.h>

#include "report/tree_text.h"

namespace traceproof {
namespace {

std::string VerdictName(const std::optional<bool>& passed) {
  if (!passed) return "absent";
  return *passed ? "PASS" : "FAIL";
}

std::string Meaning(const OperationChange& o) {
  if (o.regression) return "REGRESSION";
  if (o.improvement) return "faster";
  if (o.shift.significant) return "significant, under the thresholds";
  return "within noise";
}

std::string ShapeText(const EdgeChange& e) {
  switch (e.kind) {
    case EdgeChange::Kind::kNew:
      return fmt::format("new      {} ({:.2f} per trace)", e.edge, e.current_per_trace);
    case EdgeChange::Kind::kMissing:
      return fmt::format("missing  {} (was {:.2f} per trace)", e.edge, e.base_per_trace);
    case EdgeChange::Kind::kCount:
      break;
  }
  return fmt::format("count    {}: {:.2f} → {:.2f} per trace", e.edge, e.base_per_trace,
                     e.current_per_trace);
}

void RouteText(const RouteComparison& r, const std::string& p, std::string& out) {
  fmt::format_to(std::back_inserter(out), "\nroute {}: {} → {} traces\n", r.route, r.base_traces,
                 r.current_traces);
  fmt::format_to(std::back_inserter(out), "  {:<44} {:>21} {:>21} {:>10} {:>21}\n", "operation",
                 "p50 base → now", p + " base → now", "change", "interval");
  for (const OperationChange& o : r.operations)
    fmt::format_to(
        std::back_inserter(out), "  {:<44} {:>21} {:>21} {:>10} {:>21}  {}\n", o.operation,
        FormatDuration(o.base_p50_ns) + " → " + FormatDuration(o.current_p50_ns),
        FormatDuration(o.shift.base_ns) + " → " + FormatDuration(o.shift.current_ns),
        (o.shift.delta_ns > 0 ? "+" : "") + FormatDuration(o.shift.delta_ns),
        FormatDuration(o.shift.low_ns) + " … " + FormatDuration(o.shift.high_ns), Meaning(o));
  for (const std::string& op : r.only_in_base)
    fmt::format_to(std::back_inserter(out), "  operation gone: {}\n", op);
  for (const std::string& op : r.only_in_current)
    fmt::format_to(std::back_inserter(out), "  operation new: {}\n", op);
  if (r.shape.empty()) out += "  shape: unchanged\n";
  for (const EdgeChange& e : r.shape) out += "  shape: " + ShapeText(e) + "\n";
}

std::string DeltaText(const char* name, const Delta& d, const char* format) {
  return fmt::format("  {:<22} {} → {}\n", name, fmt::format(fmt::runtime(format), d.base),
                     fmt::format(fmt::runtime(format), d.current));
}

}  // namespace

std::string ComparisonText(const RunComparison& c) {
  std::string out = fmt::format("base     {} ({})\ncurrent  {} ({})\n", c.base_dir, c.base_scenario,
                                c.current_dir, c.current_scenario);
  const std::string p = fmt::format("p{:g}", c.options.shift.percentile);
  fmt::format_to(std::back_inserter(out),
                 "a latency regression: the {0} change, and the whole {1:g}% block bootstrap "
                 "interval of the typical second's {0} change (column 'interval'), lie above "
                 "{2:g}% of the base and above {3}\n",
                 p, 100 * c.options.shift.confidence, 100 * c.options.max_regression,
                 FormatDuration(c.options.min_change.count()));
  for (const RouteComparison& r : c.routes) RouteText(r, p, out);
  for (const std::string& r : c.routes_only_in_base)
    fmt::format_to(std::back_inserter(out), "\nroute only in base: {}\n", r);
  for (const std::string& r : c.routes_only_in_current)
    fmt::format_to(std::back_inserter(out), "\nroute only in current: {}\n", r);

  out += "\nchecks\n";
  for (const CheckChange& k : c.checks) {
    const bool same = k.base_passed == k.current_passed;
    fmt::format_to(std::back_inserter(out), "  {:<11} {:<50} {} → {}{}\n", k.kind, k.label,
                   VerdictName(k.base_passed), VerdictName(k.current_passed),
                   same            ? ""
                   : k.Regressed() ? "  REGRESSION"
                                   : "  changed");
  }
  out += "\nload and spans\n";
  out += DeltaText("requests sent", c.requests_sent, "{:.0f}");
  out += DeltaText("achieved rate (req/s)", c.achieved_rate_per_s, "{:.1f}");
  out += DeltaText("request errors", c.request_errors, "{:.0f}");
  out += DeltaText("dropped iterations", c.dropped_iterations, "{:.0f}");
  out += DeltaText("spans delivered", c.spans_delivered, "{:.0f}");
  out += DeltaText("spans lost", c.spans_lost, "{:.0f}");
  out += DeltaText("loss", Delta{100 * c.loss_fraction.base, 100 * c.loss_fraction.current},
                   "{:.3f}%");
  out += DeltaText("traces per request", c.traces_per_request, "{:.3f}");
  if (c.head_sampler_ratio) out += DeltaText("head sampler ratio", *c.head_sampler_ratio, "{:g}");

  const std::vector<std::string> regressions = c.Regressions();
  if (regressions.empty()) {
    out += "\nverdict: no regression\n";
  } else {
    fmt::format_to(std::back_inserter(out), "\nverdict: REGRESSION ({})\n", regressions.size());
    for (const std::string& line : regressions) out += "  " + line + "\n";
  }
  return out;
}

}  // namespace traceproof
