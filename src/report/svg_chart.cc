#include "report/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "report/html_escape.h"
#include "report/svg_axis.h"

namespace traceproof {
namespace {

constexpr double kLeft = 58, kRight = 12, kTop = 10, kBottom = 34;

struct Frame {
  double x_lo, x_hi, y_lo, y_hi;
  bool log_y;
  double w, h;
  double X(double x) const { return kLeft + (w - kLeft - kRight) * (x - x_lo) / (x_hi - x_lo); }
  double Y(double y) const {
    const double v = log_y ? std::log10(std::max(y, y_lo)) : y;
    const double lo = log_y ? std::log10(y_lo) : y_lo, hi = log_y ? std::log10(y_hi) : y_hi;
    return h - kBottom - (h - kTop - kBottom) * (v - lo) / (hi - lo);
  }
};

bool Usable(const ChartSpec& spec, double y) { return std::isfinite(y) && (!spec.log_y || y > 0); }

// The data's extent; nullopt-like (x_lo > x_hi) when there is no usable point.
Frame FrameOf(const ChartSpec& spec) {
  Frame f{std::numeric_limits<double>::max(),
          std::numeric_limits<double>::lowest(),
          std::numeric_limits<double>::max(),
          std::numeric_limits<double>::lowest(),
          spec.log_y,
          double(spec.width),
          double(spec.height)};
  for (const ChartSeries& s : spec.series) {
    for (const auto& [x, y] : s.points) {
      if (!Usable(spec, y) || !std::isfinite(x)) continue;
      f.x_lo = std::min(f.x_lo, x), f.x_hi = std::max(f.x_hi, x);
      f.y_lo = std::min(f.y_lo, y), f.y_hi = std::max(f.y_hi, y);
      if (s.bars && !spec.log_y) f.y_lo = std::min(f.y_lo, 0.0);
    }
  }
  for (const auto& [x, label] : spec.x_ticks)
    f.x_lo = std::min(f.x_lo, x), f.x_hi = std::max(f.x_hi, x);
  if (f.x_lo > f.x_hi) return f;
  if (f.x_hi == f.x_lo) f.x_hi = f.x_lo + 1;
  if (spec.log_y) {
    f.y_lo = std::pow(10.0, std::floor(std::log10(f.y_lo)));
    f.y_hi = std::pow(10.0, std::ceil(std::log10(f.y_hi * 1.0001)));
  } else {
    f.y_lo = std::min(f.y_lo, 0.0);
    if (f.y_hi <= f.y_lo) f.y_hi = f.y_lo + 1;
    f.y_hi *= 1.05;
  }
  return f;
}

std::string Label(const std::function<std::string(double)>& format, double v) {
  if (format) return format(v);
  return fmt::format("{:g}", v);
}

void Grid(std::string& out, const ChartSpec& spec, const Frame& f) {
  const std::vector<double> ys =
      spec.log_y ? LogTicks(f.y_lo, f.y_hi) : NiceTicks(f.y_lo, f.y_hi, 5);
  for (double y : ys) {
    fmt::format_to(std::back_inserter(out),
                   "<line class=\"grid\" x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\"/>"
                   "<text class=\"axis-label\" x=\"{3}\" y=\"{4}\" text-anchor=\"end\">{5}</text>",
                   Coord(kLeft), Coord(f.w - kRight), Coord(f.Y(y)), Coord(kLeft - 4),
                   Coord(f.Y(y) + 3), EscapeHtml(Label(spec.y_format, y)));
  }
  std::vector<std::pair<double, std::string>> xs = spec.x_ticks;
  if (xs.empty())
    for (double x : NiceTicks(f.x_lo, f.x_hi, 6)) xs.emplace_back(x, Label(spec.x_format, x));
  for (const auto& [x, label] : xs) {
    fmt::format_to(
        std::back_inserter(out),
        "<line class=\"grid\" x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/>"
        "<text class=\"axis-label\" x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>",
        Coord(f.X(x)), Coord(kTop), Coord(f.h - kBottom), Coord(f.h - kBottom + 12),
        EscapeHtml(label));
  }
  fmt::format_to(std::back_inserter(out),
                 "<text class=\"axis-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>"
                 "<text class=\"axis-label\" transform=\"translate(11 {}) rotate(-90)\" "
                 "text-anchor=\"middle\">{}</text>",
                 Coord((kLeft + f.w - kRight) / 2), Coord(f.h - 4), EscapeHtml(spec.x_label),
                 Coord((kTop + f.h - kBottom) / 2), EscapeHtml(spec.y_label));
}

void SeriesSvg(std::string& out, const ChartSpec& spec, const Frame& f, const ChartSeries& s) {
  if (s.bars) {
    const double slot = (f.w - kLeft - kRight) / std::max<std::size_t>(s.points.size(), 1);
    const double bw = std::max(1.0, slot * 0.7);
    for (const auto& [x, y] : s.points) {
      if (!Usable(spec, y) || y == 0) continue;
      const double top = f.Y(y), base = f.Y(spec.log_y ? f.y_lo : 0.0);
      fmt::format_to(std::back_inserter(out),
                     "<rect class=\"bar-series\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
                     "fill=\"{}\"><title>{}: {:g} at {:g}</title></rect>",
                     Coord(f.X(x) - bw / 2), Coord(std::min(top, base)), Coord(bw),
                     Coord(std::abs(base - top)), s.colour, EscapeHtml(s.name), y, x);
    }
    return;
  }
  std::string d;
  for (const auto& [x, y] : s.points) {
    if (!Usable(spec, y)) continue;
    d += (d.empty() ? "M" : " L") + Coord(f.X(x)) + " " + Coord(f.Y(y));
  }
  if (d.empty()) return;
  fmt::format_to(std::back_inserter(out),
                 "<path class=\"series{}\" d=\"{}\" stroke=\"{}\"><title>{}</title></path>",
                 s.dashed ? " dashed" : "", d, s.colour, EscapeHtml(s.name));
}

std::string Legend(const ChartSpec& spec) {
  std::string out = "<div class=\"legend\">";
  for (const ChartSeries& s : spec.series)
    fmt::format_to(std::back_inserter(out),
                   "<span class=\"sw\" style=\"background:{}\"></span>{}{}", s.colour,
                   EscapeHtml(s.name), s.dashed ? " (dashed)" : "");
  return out + "</div>";
}

}  // namespace

std::string SvgChart(const ChartSpec& spec) {
  std::string out =
      fmt::format("<figure class=\"chart\"><figcaption>{}</figcaption>", EscapeHtml(spec.title));
  const Frame f = FrameOf(spec);
  if (f.x_lo > f.x_hi) {
    out += "<p class=\"muted\">" + EscapeHtml(spec.note.empty() ? "no data" : spec.note) +
           "</p></figure>";
    return out;
  }
  fmt::format_to(std::back_inserter(out),
                 "<svg class=\"chart\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" "
                 "role=\"img\" aria-label=\"{2}\">",
                 spec.width, spec.height, EscapeHtml(spec.title));
  Grid(out, spec, f);
  for (const ChartSeries& s : spec.series) SeriesSvg(out, spec, f, s);
  out += "</svg>" + Legend(spec);
  if (!spec.note.empty()) out += "<p class=\"muted\">" + EscapeHtml(spec.note) + "</p>";
  return out + "</figure>";
}

}  // namespace traceproof
