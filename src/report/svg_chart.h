// A line (or bar) chart as inline SVG for the report: load over time, latency per second, the
// latency percentile spectrum, CPU and RSS. Hand-made rather than uPlot: the charts are a few
// static series (at most a point a second per series), which SVG draws without any script, so
// the page renders and prints from file:// with nothing embedded but markup; uPlot's
// interactivity would cost ~50 KB of script in every report and a build step to embed it.
// Pure function; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace traceproof {

struct ChartSeries {
  std::string name;
  std::string colour;
  std::vector<std::pair<double, double>> points;  // (x, y), x ascending
  bool dashed = false;
  bool bars = false;  // columns from 0 instead of a line (counts per interval)
};

struct ChartSpec {
  std::string title;  // the figure's caption (text)
  std::string x_label, y_label;
  bool log_y = false;  // points with y <= 0 are left out of a log chart
  std::vector<ChartSeries> series;
  // Tick values and their labels; when empty, nice ticks over the data's range, labelled by
  // the *_format functions (a plain number when those are null).
  std::vector<std::pair<double, std::string>> x_ticks;
  std::function<std::string(double)> x_format, y_format;
  int width = 560, height = 230;
  std::string note;  // shown under the chart, e.g. "no requests in this run"
};

// <figure class="chart"> with the caption, the <svg> and a legend; a chart with no point says
// so instead of drawing empty axes.
std::string SvgChart(const ChartSpec& spec);

}  // namespace traceproof
