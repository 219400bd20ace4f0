#include "compare/compare_html.h"

#include <fmt/format.h>

#include "report/html_escape.h"
#include "report/html_page.h"
#include "report/tree_text.h"
#include "report/waterfall_svg.h"

namespace traceproof {
namespace {

std::string Esc(const std::string& s) { return EscapeHtml(s); }

std::string Meaning(const OperationChange& o) {
  if (o.regression) return "regression";
  if (o.improvement) return "faster";
  if (o.shift.significant) return "significant, under the thresholds";
  return "within noise";
}

void OperationsTable(const RouteComparison& r, const std::string& p, std::string& out) {
  fmt::format_to(std::back_inserter(out),
                 "<table class=\"grid\"><tr><th>operation</th><th class=\"num\">spans</th><th "
                 "class=\"num\">p50 base → now</th><th class=\"num\">{} base → now</th><th "
                 "class=\"num\">change</th><th class=\"num\">interval</th><th></th></tr>",
                 p);
  for (const OperationChange& o : r.operations)
    fmt::format_to(std::back_inserter(out),
                   "<tr{}><td>{}</td><td class=\"num\">{} → {}</td><td class=\"num\">{} → "
                   "{}</td><td class=\"num\">{} → {}</td><td class=\"num\">{}{}</td><td "
                   "class=\"num\">{} … {}</td><td class=\"status{}\">{}</td></tr>",
                   o.regression ? " class=\"fail\"" : "", Esc(o.operation), o.shift.base_spans,
                   o.shift.current_spans, FormatDuration(o.base_p50_ns),
                   FormatDuration(o.current_p50_ns), FormatDuration(o.shift.base_ns),
                   FormatDuration(o.shift.current_ns), o.shift.delta_ns > 0 ? "+" : "",
                   FormatDuration(o.shift.delta_ns), FormatDuration(o.shift.low_ns),
                   FormatDuration(o.shift.high_ns), o.regression ? " fail" : "", Meaning(o));
  out += "</table>";
}

void ShapeTable(const RouteComparison& r, std::string& out) {
  if (r.shape.empty()) {
    out += "<p>trace shape unchanged</p>";
    return;
  }
  out +=
      "<table class=\"grid\"><tr><th>edge (parent → child)</th><th>change</th><th "
      "class=\"num\">per trace, base → now</th></tr>";
  for (const EdgeChange& e : r.shape)
    fmt::format_to(std::back_inserter(out),
                   "<tr><td>{}</td><td>{}</td><td class=\"num\">{:.2f} → {:.2f}</td></tr>",
                   Esc(e.edge),
                   e.kind == EdgeChange::Kind::kNew       ? "new"
                   : e.kind == EdgeChange::Kind::kMissing ? "missing"
                                                          : "count",
                   e.base_per_trace, e.current_per_trace);
  out += "</table>";
}

std::string Waterfall(const std::shared_ptr<const Trace>& t, const std::string& caption,
                      const std::string& id) {
  if (!t) return "<p class=\"muted\">" + Esc(caption) + ": not in the traces file</p>";
  WaterfallOptions options;
  options.id = id;
  options.caption = caption;
  options.width_px = 560;
  return WaterfallSvg(*t, options);
}

void RouteHtml(const RouteComparison& r, const std::string& p, const SlowestPair* slow,
               std::size_t index, std::string& out) {
  fmt::format_to(std::back_inserter(out), "<h2>route {}</h2><p>{} → {} traces</p>", Esc(r.route),
                 r.base_traces, r.current_traces);
  OperationsTable(r, p, out);
  for (const std::string& op : r.only_in_base) out += "<p>operation gone: " + Esc(op) + "</p>";
  for (const std::string& op : r.only_in_current) out += "<p>operation new: " + Esc(op) + "</p>";
  ShapeTable(r, out);
  if (!slow) return;
  out +=
      "<div style=\"display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:12px\"><div>" +
      Waterfall(slow->base, "slowest trace, base", fmt::format("base-{}", index)) + "</div><div>" +
      Waterfall(slow->current, "slowest trace, now", fmt::format("now-{}", index)) + "</div></div>";
}

std::string Verdict(const std::optional<bool>& passed) {
  if (!passed) return "absent";
  return *passed ? "PASS" : "FAIL";
}

void ChecksTable(const RunComparison& c, std::string& out) {
  out +=
      "<h2>checks</h2><table class=\"grid\"><tr><th>check</th><th>asserted</th><th>base</th>"
      "<th>now</th></tr>";
  for (const CheckChange& k : c.checks)
    fmt::format_to(std::back_inserter(out),
                   "<tr{}><td>{}</td><td>{}</td><td class=\"status {}\">{}</td><td class=\"status "
                   "{}\">{}</td></tr>",
                   k.Regressed() ? " class=\"fail\"" : "", Esc(k.kind), Esc(k.label),
                   k.base_passed.value_or(true) ? "pass" : "fail", Verdict(k.base_passed),
                   k.current_passed.value_or(true) ? "pass" : "fail", Verdict(k.current_passed));
  out += "</table>";
}

void DeltasTable(const RunComparison& c, std::string& out) {
  out +=
      "<h2>load and spans</h2><table class=\"grid\"><tr><th></th><th class=\"num\">base</th>"
      "<th class=\"num\">now</th></tr>";
  auto row = [&](const char* name, const Delta& d, const char* f) {
    fmt::format_to(std::back_inserter(out),
                   "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>", name,
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
  std::string body = fmt::format(
      "<h1>traceproof compare</h1><dl class=\"meta\"><dt>base</dt><dd>{} ({})</dd><dt>now</dt>"
      "<dd>{} ({})</dd></dl>",
      Esc(c.base_scenario), Esc(c.base_dir), Esc(c.current_scenario), Esc(c.current_dir));
  body += regressions.empty()
              ? "<p class=\"verdict-line\"><span class=\"verdict pass\">NO REGRESSION</span></p>"
              : "<p class=\"verdict-line\"><span class=\"verdict fail\">REGRESSION</span></p><ul>";
  for (const std::string& r : regressions) body += "<li>" + Esc(r) + "</li>";
  if (!regressions.empty()) body += "</ul>";
  fmt::format_to(std::back_inserter(body),
                 "<p class=\"muted\">A latency regression: the {0} change, and the whole {1:g}% "
                 "block bootstrap interval of the typical second's {0} change (column "
                 "'interval'), lie above {2:g}% of the base and above {3}.</p>",
                 p, 100 * c.options.shift.confidence, 100 * c.options.max_regression,
                 FormatDuration(c.options.min_change.count()));
  for (std::size_t i = 0; i < c.routes.size(); ++i) {
    const SlowestPair* slow = nullptr;
    for (const SlowestPair& s : slowest)
      if (s.route == c.routes[i].route) slow = &s;
    RouteHtml(c.routes[i], p, slow, i, body);
  }
  for (const std::string& r : c.routes_only_in_base)
    body += "<p>route only in base: " + Esc(r) + "</p>";
  for (const std::string& r : c.routes_only_in_current)
    body += "<p>route only now: " + Esc(r) + "</p>";
  ChecksTable(c, body);
  DeltasTable(c, body);
  return HtmlDocument("traceproof compare: " + c.base_scenario + " vs " + c.current_scenario, body,
                      "traceproof compare: two results folders, route by route");
}

}  // namespace traceproof
