#include "report/html_page.h"

#include <fmt/format.h>

#include "report/html_escape.h"

namespace traceproof {

std::string_view ReportCss() {
  return R"css(
:root { --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --pass: #1a7f37; --fail: #cf222e;
  --bg-soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  margin: 0 auto; padding: 16px 24px 48px; max-width: 1240px; }
h1 { font-size: 22px; margin: 4px 0 2px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 12px; }
pre { background: var(--bg-soft); padding: 8px; overflow: auto; max-height: 420px; }
a { color: #0969da; }
.muted { color: var(--muted); }
.warn { color: #9a6700; }
nav.toc { font-size: 13px; margin: 6px 0 12px; }
nav.toc a { margin-right: 12px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
.verdict { display: inline-block; font-weight: 700; font-size: 18px; padding: 4px 12px;
  border-radius: 6px; color: #fff; margin: 8px 0; }
.verdict.pass { background: var(--pass); }
.verdict.fail { background: var(--fail); }
.verdict-line { font-size: 15px; }
table.grid { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 13px; }
table.grid th, table.grid td { border: 1px solid var(--line); padding: 4px 8px; text-align: left;
  vertical-align: top; }
table.grid th { background: var(--bg-soft); font-weight: 600; }
table.grid td.num, table.grid th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.status.pass { color: var(--pass); font-weight: 700; }
td.status.fail { color: var(--fail); font-weight: 700; }
tr.fail td { background: #fff5f5; }
figure.waterfall { margin: 12px 0 20px; border: 1px solid var(--line); border-radius: 6px;
  padding: 8px; overflow-x: auto; break-inside: avoid; }
figure.waterfall figcaption { font-size: 13px; margin-bottom: 4px; }
svg.wf { display: block; font: 11px system-ui, sans-serif; }
svg.wf .row-bg { fill: transparent; }
svg.wf .span { cursor: pointer; }
svg.wf .span:hover .row-bg, svg.wf .span.selected .row-bg { fill: #0969da14; }
svg.wf .span.flagged .row-bg { fill: #fff8c5; }
svg.wf .label { fill: var(--fg); }
svg.wf .label .svc { font-weight: 600; }
svg.wf .bar { stroke: #0003; stroke-width: 0.5; }
svg.wf .span.critical .bar { stroke: #111; stroke-width: 2; }
svg.wf .crit-mark { fill: #111; font-size: 11px; }
svg.wf .bar-text { fill: #333; font-size: 10.5px; }
svg.wf .bar-text.inside { fill: #fff; paint-order: stroke; stroke: #0009; stroke-width: 2px; }
svg.wf .span.error .bar-text { fill: var(--fail); font-weight: 600; }
svg.wf .span.error .bar-text.inside { fill: #fff; }
svg.wf .tick { stroke: #e5e7ea; }
svg.wf .tick-label { fill: var(--muted); font-size: 10px; text-anchor: middle; }
svg.wf .link { stroke: #8250df; stroke-width: 1.3; stroke-dasharray: 4 3; fill: none; }
svg.wf .link-head { fill: #8250df; }
.span-details table.attrs { border-collapse: collapse; font-size: 12px; margin-top: 6px;
  max-width: 100%; }
.span-details table.attrs caption { text-align: left; font-weight: 600; }
.span-details table.attrs th, .span-details table.attrs td { border: 1px solid var(--line);
  padding: 2px 6px; text-align: left; vertical-align: top; word-break: break-all; }
.span-details table.attrs tr.section th { background: var(--bg-soft); }
.span-details table.attrs tr.error td { color: var(--fail); }
.legend { font-size: 12px; margin: 4px 0; }
.legend .sw { display: inline-block; width: 14px; height: 10px; margin: 0 4px 0 10px;
  vertical-align: middle; border: 1px solid #0003; }
.legend .sw.gap { background: repeating-linear-gradient(45deg, #222a 0 2px, #fff 2px 5px); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 12px; }
figure.chart { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px;
  break-inside: avoid; }
figure.chart figcaption { font-size: 13px; font-weight: 600; }
svg.chart { display: block; width: 100%; height: auto; font: 10px system-ui, sans-serif; }
svg.chart .grid { stroke: #eceef1; }
svg.chart .axis-label { fill: var(--muted); }
svg.chart .series { fill: none; stroke-width: 1.6; }
svg.chart .series.dashed { stroke-dasharray: 5 3; }
svg.chart .bar-series { stroke: none; }
svg.chart .legend-text { fill: var(--fg); }
details > summary { cursor: pointer; color: #0969da; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  nav.toc, .span-details { display: none; }
  details { display: block; }
  figure.waterfall { overflow: visible; }
  svg.wf { max-width: 100%; height: auto; }
  a { color: inherit; text-decoration: none; }
}
)css";
}

std::string_view ReportScript() {
  return R"js(
document.addEventListener('click', function (e) {
  var g = e.target.closest && e.target.closest('g.span');
  if (!g) return;
  var fig = g.closest('figure');
  var row = g.getAttribute('data-row');
  var show = null;
  fig.querySelectorAll('table.attrs').forEach(function (t) {
    if (t.getAttribute('data-row') === row) show = t; else t.hidden = true;
  });
  fig.querySelectorAll('g.span.selected').forEach(function (s) { s.classList.remove('selected'); });
  if (show) {
    show.hidden = !show.hidden;
    if (!show.hidden) g.classList.add('selected');
  }
});
)js";
}

std::string HtmlDocument(std::string_view title, std::string_view body_html,
                         std::string_view generator_comment) {
  std::string comment(generator_comment);
  for (std::size_t p; (p = comment.find("--")) != std::string::npos;) comment.replace(p, 2, "- -");
  return fmt::format(
      "<!DOCTYPE html>\n{}<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
      "<title>{}</title><style>{}</style></head><body>\n{}\n<script>{}</script></body></html>\n",
      comment.empty() ? "" : "<!-- " + comment + " -->\n", EscapeHtml(title), ReportCss(),
      body_html, ReportScript());
}

}  // namespace traceproof
