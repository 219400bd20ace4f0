#include "compare/compare_html.h"

#include <fmt/format.h>

#include "checks/critical_path.h"
#include "report/tree_text.h"
#include "store/trace_shape.h"

namespace traceproof {
namespace {

std::string Esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

constexpr const char* kStyle = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;max-width:1400px}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 8px;text-align:left}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:#b00020;font-weight:600}.good{color:#1b7f3b}.muted{color:#777}
.pair{display:flex;gap:1em}.pair>div{flex:1;min-width:0}pre{background:#f8f8f8;padding:.6em;overflow:auto;font-size:12px}
@media print{.pair{display:block}}
)";

std::string Tree(const std::shared_ptr<const Trace>& t) {
  if (!t) return "<p class=muted>not in the traces file</p>";
  const TraceShape shape = AnalyzeTrace(*t);
  const std::vector<std::size_t> path = CriticalPath(*t, shape);
  return "<pre>" + Esc(TraceTreeText(*t, &path)) + "</pre>";
}

void RouteHtml(const RouteComparison& r, const std::string& p, const SlowestPair* slow,
               std::string& out) {
  fmt::format_to(std::back_inserter(out), "<h2>route {}</h2><p>{} → {} traces</p>", Esc(r.route),
                 r.base_traces, r.current_traces);
  fmt::format_to(std::back_inserter(out),
                 "<table><tr><th>operation</th><th>spans</th><th>p50 base → now</th><th>{} base "
                 "→ now</th><th>change</th><th>interval</th><th></th></tr>",
                 p);
  for (const OperationChange& o : r.operations) {
    const char* cls = o.regression ? "bad" : o.improvement ? "good" : "muted";
    const char* what = o.regression          ? "regression"
                       : o.improvement       ? "faster"
                       : o.shift.significant ? "significant, under the thresholds"
                                             : "within noise";
    fmt::format_to(std::back_inserter(out),
                   "<tr><td>{}</td><td class=n>{} → {}</td><td class=n>{} → {}</td><td "
                   "class=n>{} → {}</td><td class=n>{}{}</td><td class=n>{} … {}</td><td "
                   "class={}>{}</td></tr>",
                   Esc(o.operation), o.shift.base_spans, o.shift.current_spans,
                   FormatDuration(o.base_p50_ns), FormatDuration(o.current_p50_ns),
                   FormatDuration(o.shift.base_ns), FormatDuration(o.shift.current_ns),
                   o.shift.delta_ns > 0 ? "+" : "", FormatDuration(o.shift.delta_ns),
                   FormatDuration(o.shift.low_ns), FormatDuration(o.shift.high_ns), cls, what);
  }
  out += "</table>";
  if (r.shape.empty())
    out += "<p>shape unchanged</p>";
  else {
    out += "<table><tr><th>edge</th><th>change</th><th>per trace base → now</th></tr>";
    for (const EdgeChange& e : r.shape)
      fmt::format_to(std::back_inserter(out),
                     "<tr><td>{}</td><td>{}</td><td class=n>{:.2f} → {:.2f}</td></tr>", Esc(e.edge),
                     e.kind == EdgeChange::Kind::kNew       ? "new"
                     : e.kind == EdgeChange::Kind::kMissing ? "missing"
                                                            : "count",
                     e.base_per_trace, e.current_per_trace);
    out += "</table>";
  }
  if (slow)
    out += "<div class=pair><div><h3>slowest trace, base</h3>" + Tree(slow->base) +
           "</div><div><h3>slowest trace, now</h3>" + Tree(slow->current) + "</div></div>";
}

std::string Verdict(const std::optional<bool>& passed) {
  if (!passed) return "absent";
  return *passed ? "PASS" : "FAIL";
}

void Deltas(const RunComparison& c, std::string& out) {
  out += "<h2>load and spans</h2><table><tr><th></th><th>base</th><th>now</th></tr>";
  auto row = [&](const char* name, const Delta& d, const char* f) {
    fmt::format_to(std::back_inserter(out),
                   "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td></tr>", name,
                   fmt::format(fmt::runtime(f), d.base), fmt::format(fmt::runtime(f), d.current));
  };
  row("requests sent", c.requests_sent, "{:.0f}");
  row("achieved rate (req/s)", c.achieved_rate_per_s, "{:.1f}");
  row("request errors", c.request_errors, "{:.0f}");
  row("dropped iterations", c.dropped_iterations, "{:.0f}");
  row("spans delivered", c.spans_delivered, "{:.0f}");
  row("spans lost", c.spans_lost, "{:.0f}");
  row("loss (%)", Delta{100 * c.loss_fraction.base, 100 * c.loss_fraction.current}, "{:.3f}");
  row("traces per request", c.traces_per_request, "{:.3f}");
  if (c.head_sampler_ratio) row("head sampler ratio", *c.head_sampler_ratio, "{:g}");
  out += "</table>";
}

}  // namespace

std::string ComparisonHtml(const RunComparison& c, const std::vector<SlowestPair>& slowest) {
  const std::vector<std::string> regressions = c.Regressions();
  const std::string p = fmt::format("p{:g}", c.options.shift.percentile);
  std::string out = "<!DOCTYPE html><html><head><meta charset=utf-8><title>traceproof compare: " +
                    Esc(c.base_scenario) + " vs " + Esc(c.current_scenario) + "</title><style>" +
                    kStyle + "</style></head><body>";
  fmt::format_to(std::back_inserter(out),
                 "<h1>traceproof compare</h1><p>base <b>{}</b> ({})<br>now <b>{}</b> ({})</p>",
                 Esc(c.base_scenario), Esc(c.base_dir), Esc(c.current_scenario),
                 Esc(c.current_dir));
  if (regressions.empty()) {
    out += "<p class=good><b>verdict: no regression</b></p>";
  } else {
    out += "<p class=bad><b>verdict: regression</b></p><ul>";
    for (const std::string& r : regressions) out += "<li>" + Esc(r) + "</li>";
    out += "</ul>";
  }
  fmt::format_to(std::back_inserter(out),
                 "<p class=muted>a latency regression: the {} change is significant ({:g}% block "
                 "bootstrap interval excludes 0), over {:g}% of the base and over {}</p>",
                 p, 100 * c.options.shift.confidence, 100 * c.options.max_regression,
                 FormatDuration(c.options.min_change.count()));
  for (const RouteComparison& r : c.routes) {
    const SlowestPair* slow = nullptr;
    for (const SlowestPair& s : slowest)
      if (s.route == r.route) slow = &s;
    RouteHtml(r, p, slow, out);
  }
  for (const std::string& r : c.routes_only_in_base)
    out += "<p>route only in base: " + Esc(r) + "</p>";
  for (const std::string& r : c.routes_only_in_current)
    out += "<p>route only now: " + Esc(r) + "</p>";
  out += "<h2>checks</h2><table><tr><th>check</th><th>asserted</th><th>base</th><th>now</th></tr>";
  for (const CheckChange& k : c.checks)
    fmt::format_to(std::back_inserter(out),
                   "<tr><td>{}</td><td>{}</td><td>{}</td><td class={}>{}</td></tr>", Esc(k.kind),
                   Esc(k.label), Verdict(k.base_passed), k.Regressed() ? "bad" : "",
                   Verdict(k.current_passed));
  out += "</table>";
  Deltas(c, out);
  out += "</body></html>\n";
  return out;
}

}  // namespace traceproof
