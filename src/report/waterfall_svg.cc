#include "report/waterfall_svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "report/html_escape.h"
#include "report/span_details_table.h"
#include "report/span_summary.h"
#include "report/svg_axis.h"
#include "report/tree_text.h"
#include "report/waterfall_layout.h"

namespace traceproof {
namespace {

constexpr double kLabelWidth = 340;
constexpr double kRowHeight = 20;
constexpr double kBarHeight = 12;
constexpr double kAxisHeight = 26;
constexpr double kRightPad = 12;
constexpr double kCharWidth = 6.2;  // of the 11 px sans-serif the page uses, roughly

// Where time goes on the x axis.
struct Geometry {
  double x0, x1;  // where the bars may go
  std::int64_t start_ns, span_ns;
  double text_limit;  // the right edge text beside a bar may reach
  double X(std::int64_t t_ns) const {
    return x0 + (x1 - x0) * static_cast<double>(t_ns - start_ns) / static_cast<double>(span_ns);
  }
  double RowY(std::size_t k) const { return kAxisHeight + static_cast<double>(k) * kRowHeight; }
};

std::string Truncate(std::string_view text, std::size_t max_chars) {
  if (max_chars < 2) max_chars = 2;
  if (text.size() <= max_chars) return std::string(text);
  std::size_t cut = max_chars - 1;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return std::string(text.substr(0, cut)) + "\u2026";
}

std::string ServiceOf(const SpanView& s) {
  return s.service_name.empty() ? "(no service.name)" : std::string(s.service_name);
}

std::vector<std::string> Flags(const WaterfallRow& row, const SpanView& s) {
  std::vector<std::string> flags;
  if (row.orphan) flags.push_back("orphan: parent " + s.parent_span_id.Hex() + " never arrived");
  if (row.extra_root) flags.push_back("one of several roots");
  if (row.duplicate) flags.push_back("reuses a span id");
  if (row.skewed) flags.push_back("clock skew: outside its parent's time range");
  if (row.cycle) flags.push_back("unreachable: parent chain forms a cycle");
  return flags;
}

void Axis(std::string& out, const Geometry& g, double height) {
  const double dur = static_cast<double>(g.span_ns);
  for (double t : NiceTicks(0, dur, 8)) {
    const double x = g.X(g.start_ns + static_cast<std::int64_t>(t));
    fmt::format_to(std::back_inserter(out),
                   "<line class=\"tick\" x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/>"
                   "<text class=\"tick-label\" x=\"{0}\" y=\"{3}\">{4}</text>",
                   Coord(x), Coord(kAxisHeight - 4), Coord(height), Coord(kAxisHeight - 9),
                   EscapeHtml(FormatDuration(static_cast<std::int64_t>(t))));
  }
}

// The hover text: what the row says in full, and the first attributes.
std::string HoverText(const SpanView& s, const SpanSummary& sum, const WaterfallRow& row) {
  std::string t = fmt::format("{} {} ({}, {})", ServiceOf(s), s.name, SpanKindName(s.kind),
                              FormatDuration(s.DurationNs()));
  if (row.critical) t += "\non the critical path";
  if (s.status == StatusCode::kError) t += "\nERROR: " + sum.error_message;
  for (const std::string& f : Flags(row, s)) t += "\n" + f;
  std::size_t shown = 0;
  for (const auto& [k, v] : sum.attributes) {
    if (++shown > 12) {
      t += fmt::format("\n… {} more (click)", sum.attributes.size() - 12);
      break;
    }
    t += "\n" + k + " = " + Truncate(v, 120);
  }
  return t;
}

// The text beside a bar: duration, error, flags; right of the bar when it fits, else left,
// else inside the bar.
void BarText(std::string& out, const Geometry& g, double bar_x, double bar_w, double y,
             const std::string& text) {
  const double need = static_cast<double>(text.size()) * kCharWidth * 0.85;
  double x = bar_x + bar_w + 4;
  const char* cls = "bar-text";
  const char* anchor = "start";
  if (x + need > g.text_limit) {
    if (bar_x - g.x0 >= need + 4) {
      x = bar_x - 4;
      anchor = "end";
    } else {
      x = bar_x + 4;
      cls = "bar-text inside";
    }
  }
  fmt::format_to(std::back_inserter(out),
                 "<text class=\"{}\" x=\"{}\" y=\"{}\" text-anchor=\"{}\">{}</text>", cls, Coord(x),
                 Coord(y + kBarHeight - 2), anchor, EscapeHtml(text));
}

struct RowContext {
  const Trace& trace;
  const WaterfallOptions& options;
  const Geometry& g;
  const std::string& id;
};

void RowSvg(std::string& out, const RowContext& c, const WaterfallRow& row, std::size_t k,
            const SpanSummary& sum) {
  const SpanView& s = c.trace.spans[row.span];
  const bool error = s.status == StatusCode::kError;
  const bool critical = row.critical && c.options.mark_critical_path;
  const std::vector<std::string> flags = Flags(row, s);
  const double y = c.g.RowY(k);
  fmt::format_to(std::back_inserter(out),
                 "<g class=\"span{}{}{}\" data-row=\"{}\" data-span=\"{}\" data-service=\"{}\"{}>"
                 "<title>{}</title><rect class=\"row-bg\" x=\"0\" y=\"{}\" width=\"{}\" "
                 "height=\"{}\"/>",
                 critical ? " critical" : "", error ? " error" : "",
                 flags.empty() ? "" : " flagged", k, s.span_id.Hex(), EscapeHtml(ServiceOf(s)),
                 critical ? " data-critical=\"1\"" : "", EscapeHtml(HoverText(s, sum, row)),
                 Coord(y), Coord(c.g.text_limit + kRightPad), Coord(kRowHeight));
  const double indent = 14 + 10.0 * std::min(row.depth, 16);
  const auto label_chars = static_cast<std::size_t>((kLabelWidth - indent - 8) / kCharWidth);
  if (critical)
    fmt::format_to(std::back_inserter(out),
                   "<text class=\"crit-mark\" x=\"3\" y=\"{}\">\u25c6</text>",
                   Coord(y + kBarHeight + 1));
  fmt::format_to(
      std::back_inserter(out),
      "<text class=\"label\" x=\"{}\" y=\"{}\"><tspan class=\"svc\">{}</tspan> {}</text>",
      Coord(indent), Coord(y + kBarHeight + 1), EscapeHtml(Truncate(ServiceOf(s), label_chars / 2)),
      EscapeHtml(Truncate(s.name, label_chars - std::min(label_chars / 2, ServiceOf(s).size()))));
  const double bar_x = c.g.X(static_cast<std::int64_t>(s.start_unix_ns));
  const double bar_w = std::max(1.0, c.g.X(static_cast<std::int64_t>(s.end_unix_ns)) - bar_x);
  fmt::format_to(std::back_inserter(out),
                 "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>",
                 Coord(bar_x), Coord(y + 4), Coord(bar_w), Coord(kBarHeight),
                 error ? "#d62728" : ServiceColour(s.service_name));
  for (const TimeRange& gap : row.gaps) {
    const double gx = c.g.X(gap.begin_ns);
    fmt::format_to(std::back_inserter(out),
                   "<rect class=\"gap\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
                   "fill=\"url(#{}-gap)\"><title>gap: {} of {} no child covers</title></rect>",
                   Coord(gx), Coord(y + 4), Coord(std::max(1.0, c.g.X(gap.end_ns) - gx)),
                   Coord(kBarHeight), c.id, EscapeHtml(FormatDuration(gap.DurationNs())),
                   EscapeHtml(ServiceOf(s) + " " + std::string(s.name)));
  }
  std::string text = FormatDuration(s.DurationNs());
  if (error)
    text += "  ERROR" + (sum.error_message.empty() ? "" : ": " + Truncate(sum.error_message, 90));
  for (const std::string& f : flags) text += "  \u26a0 " + f;
  BarText(out, c.g, bar_x, bar_w, y + 4, text);
  out += "</g>";
}

// Span links whose target span is drawn in this waterfall: a dashed arrow from the target
// (what the span links to, e.g. the message's producer) to the linking span's bar.
void LinksSvg(std::string& out, const RowContext& c, const WaterfallLayout& layout,
              const std::vector<SpanSummary>& sums) {
  std::map<std::string, std::size_t> row_of;
  for (std::size_t k = 0; k < layout.rows.size(); ++k)
    row_of.emplace(c.trace.spans[layout.rows[k].span].span_id.Hex(), k);
  const std::string self = c.trace.id.Hex();
  for (std::size_t k = 0; k < layout.rows.size(); ++k) {
    const SpanView& s = c.trace.spans[layout.rows[k].span];
    for (const SpanLinkTarget& l : sums[k].links) {
      auto it = l.trace_id_hex == self ? row_of.find(l.span_id_hex) : row_of.end();
      if (it == row_of.end()) continue;
      const SpanView& t = c.trace.spans[layout.rows[it->second].span];
      const double x1 = c.g.X(static_cast<std::int64_t>(t.end_unix_ns));
      const double y1 = c.g.RowY(it->second) + 4 + kBarHeight / 2;
      const double x2 = c.g.X(static_cast<std::int64_t>(s.start_unix_ns));
      const double y2 = c.g.RowY(k) + 4 + kBarHeight / 2;
      fmt::format_to(std::back_inserter(out),
                     "<path class=\"link\" d=\"M{} {} C{} {} {} {} {} {}\" "
                     "marker-end=\"url(#{}-arrow)\"><title>span link</title></path>",
                     Coord(x1), Coord(y1), Coord(x1 + 30), Coord(y1), Coord(x2 - 30), Coord(y2),
                     Coord(x2), Coord(y2), c.id);
    }
  }
}

std::string Defs(const std::string& id) {
  return fmt::format(
      "<defs><pattern id=\"{0}-gap\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" "
      "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\" "
      "fill-opacity=\"0.55\"/><rect width=\"2.5\" height=\"6\" fill=\"#222\" "
      "fill-opacity=\"0.6\"/></pattern><marker id=\"{0}-arrow\" viewBox=\"0 0 8 8\" refX=\"7\" "
      "refY=\"4\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0 0L8 4L0 8z\" "
      "class=\"link-head\"/></marker></defs>",
      id);
}

std::string Caption(const Trace& trace, const WaterfallOptions& options,
                    const WaterfallLayout& layout, std::size_t critical) {
  std::string c = options.caption.empty() ? "" : EscapeHtml(options.caption) + " \u2014 ";
  c += fmt::format("trace <code>{}</code>: {} spans, {}", trace.id.Hex(), trace.spans.size(),
                   EscapeHtml(FormatDuration(layout.end_ns - layout.start_ns)));
  if (options.mark_critical_path && critical)
    c += fmt::format(", \u25c6 {} on the critical path", critical);
  if (layout.hidden)
    c += fmt::format(
        " <span class=\"warn\">({} spans not drawn: the waterfall keeps {} rows, "
        "those with findings first)</span>",
        layout.hidden, layout.rows.size());
  return c;
}

}  // namespace

std::string WaterfallAnchor(const TraceId& trace_id) { return WaterfallAnchor(trace_id.Hex()); }
std::string WaterfallAnchor(std::string_view trace_id_hex) {
  return "trace-" + HtmlId(trace_id_hex);
}

std::string ServiceColour(std::string_view service) {
  // Tableau 10 without its red, which marks ERROR spans.
  static constexpr const char* kPalette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1",
                                             "#76b7b2", "#edc948", "#9c755f", "#bab0ac",
                                             "#2f4b7c", "#a0cbe8", "#8cd17d", "#ffbe7d"};
  std::uint32_t h = 2166136261u;  // FNV-1a: stable across runs and platforms
  for (unsigned char c : service) h = (h ^ c) * 16777619u;
  return kPalette[h % (sizeof kPalette / sizeof kPalette[0])];
}

}  // namespace traceproof

namespace traceproof {

std::string WaterfallSvg(const Trace& trace, const WaterfallOptions& options) {
  const std::string id = HtmlId(options.id.empty() ? WaterfallAnchor(trace.id) : options.id);
  const WaterfallLayout layout = LayOutWaterfall(trace, options.max_rows);
  const double width = std::max(options.width_px, 600);
  const Geometry g{kLabelWidth, width - kRightPad - 170, layout.start_ns,
                   std::max<std::int64_t>(1, layout.end_ns - layout.start_ns), width - kRightPad};
  const double height = g.RowY(layout.rows.size()) + 4;
  std::vector<SpanSummary> sums;
  std::size_t critical = 0;
  for (const WaterfallRow& r : layout.rows) {
    sums.push_back(SummarizeSpan(trace.spans[r.span]));
    critical += r.critical ? 1 : 0;
  }
  std::string out = fmt::format(
      "<figure class=\"waterfall\" id=\"{}\" data-trace=\"{}\">"
      "<figcaption>{}</figcaption>",
      id, trace.id.Hex(), Caption(trace, options, layout, critical));
  fmt::format_to(std::back_inserter(out),
                 "<svg class=\"wf\" viewBox=\"0 0 {0} {1}\" "
                 "width=\"{0}\" height=\"{1}\" role=\"img\" aria-label=\"waterfall of trace {2}\">",
                 Coord(width), Coord(height), trace.id.Hex());
  out += Defs(id);
  Axis(out, g, height);
  const RowContext context{trace, options, g, id};
  for (std::size_t k = 0; k < layout.rows.size(); ++k)
    RowSvg(out, context, layout.rows[k], k, sums[k]);
  LinksSvg(out, context, layout, sums);
  out += "</svg><div class=\"span-details\">";
  for (std::size_t k = 0; k < layout.rows.size(); ++k)
    out += SpanDetailsTable(trace, layout.rows[k].span, k, sums[k], layout.start_ns,
                            options.anchor_of);
  out += "</div></figure>";
  return out;
}

}  // namespace traceproof
