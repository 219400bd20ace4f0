// report.html's load over time (series.jsonl: a row a second) and latency distribution (the
// run's HdrHistogram-layout histograms, corrected and uncorrected for coordinated omission),
// report/report_sections.h.
#include <fmt/format.h>

#include <cmath>

#include "report/html_escape.h"
#include "report/report_sections.h"
#include "report/svg_chart.h"

namespace traceproof {
namespace {

using nlohmann::json;

std::vector<std::pair<double, double>> Column(const std::vector<json>& rows, const char* key,
                                              double scale = 1) {
  std::vector<std::pair<double, double>> points;
  for (const json& r : rows) {
    const auto it = r.find(key);
    if (it != r.end() && it->is_number())
      points.emplace_back(r.value("t_s", 0.0), it->get<double>() * scale);
  }
  return points;
}

std::string Ms(double v) {
  return v >= 1 ? fmt::format("{:g} ms", v) : fmt::format("{:g} µs", v * 1000);
}

std::string RateChart(const std::vector<json>& rows) {
  ChartSpec c;
  c.title = "Requests per second: target and achieved";
  c.x_label = "seconds since the first phase began";
  c.y_label = "req/s";
  c.series.push_back({"target", "#656d76", Column(rows, "requests_per_s_target"), true});
  c.series.push_back({"achieved", "#0969da", Column(rows, "requests_per_s")});
  return SvgChart(c);
}

std::string LatencyChart(const std::vector<json>& rows) {
  ChartSpec c;
  c.title = "Latency per second (corrected for coordinated omission)";
  c.x_label = "seconds";
  c.y_label = "ms (log)";
  c.log_y = true;
  c.y_format = Ms;
  c.series.push_back({"p50", "#1a7f37", Column(rows, "p50_ns", 1e-6)});
  c.series.push_back({"p99", "#cf222e", Column(rows, "p99_ns", 1e-6)});
  c.series.push_back({"max", "#8250df", Column(rows, "max_ns", 1e-6), true});
  c.note = "seconds without answers have no point";
  return SvgChart(c);
}

// Dropped iterations and errors by kind per second; only kinds that happened are drawn.
std::string ErrorsChart(const std::vector<json>& rows) {
  ChartSpec c;
  c.title = "Dropped iterations and errors per second, by kind";
  c.x_label = "seconds";
  c.y_label = "count";
  static const std::vector<std::pair<const char*, const char*>> kKinds = {{"connect", "#cf222e"},
                                                                          {"timeout", "#bc4c00"},
                                                                          {"reset", "#8250df"},
                                                                          {"other", "#656d76"},
                                                                          {"status", "#d4a72c"}};
  auto add = [&](std::string name, const char* colour, std::vector<std::pair<double, double>> pts) {
    double total = 0;
    for (const auto& p : pts) total += p.second;
    if (total > 0)
      c.series.push_back({name + " (" + Count(std::uint64_t(total)) + ")", colour, std::move(pts)});
  };
  add("dropped iterations", "#0969da", Column(rows, "dropped_iterations"));
  for (const auto& [kind, colour] : kKinds) {
    std::vector<std::pair<double, double>> pts;
    for (const json& r : rows)
      pts.emplace_back(r.value("t_s", 0.0), r.value("errors", json::object()).value(kind, 0.0));
    add(std::string("errors: ") + kind, colour, std::move(pts));
  }
  if (c.series.empty()) c.note = "no dropped iterations and no errors in any second";
  return SvgChart(c);
}

std::string SpansChart(const std::vector<json>& rows) {
  ChartSpec c;
  c.title = "Spans received by the sink per second";
  c.x_label = "seconds";
  c.y_label = "spans/s";
  c.series.push_back({"spans received", "#59a14f", Column(rows, "spans_received")});
  return SvgChart(c);
}

// x = log10(1 / (1 - p)): HdrHistogram's percentile axis, where each decade is a "nine".
std::vector<std::pair<double, double>> Spectrum(const Histogram& h, double x_max) {
  std::vector<std::pair<double, double>> points;
  for (double x = 0; x <= x_max + 1e-9; x += 0.05) {
    const double p = 100.0 * (1 - std::pow(10.0, -x));
    points.emplace_back(x, double(h.ValueAtPercentile(p)) / 1e6);
  }
  points.emplace_back(x_max, double(h.Max()) / 1e6);
  return points;
}

std::string SpectrumChart(const ReportInput& in) {
  ChartSpec c;
  c.title = "Latency percentile spectrum (whole run)";
  c.x_label = "percentile";
  c.y_label = "ms (log)";
  c.log_y = true;
  c.y_format = Ms;
  const std::uint64_t n = in.corrected ? in.corrected->TotalCount() : 0;
  if (n == 0) {
    c.note = in.corrected ? "no answers recorded" : "histograms/corrected.hist is missing";
    return SvgChart(c);
  }
  // As many nines as the samples support, plus half a decade.
  const double x_max = std::max(1.0, std::ceil(std::log10(double(n)) * 2) / 2);
  c.series.push_back(
      {"corrected (from intended start)", "#cf222e", Spectrum(*in.corrected, x_max)});
  if (in.uncorrected && in.uncorrected->TotalCount())
    c.series.push_back(
        {"uncorrected (from actual send)", "#0969da", Spectrum(*in.uncorrected, x_max), true});
  static const char* kLabels[] = {"0%",     "90%",     "99%",      "99.9%",
                                  "99.99%", "99.999%", "99.9999%", "99.99999%"};
  c.x_ticks.emplace_back(std::log10(2.0), "50%");
  for (int k = 0; k <= int(x_max) && k < 8; ++k) c.x_ticks.emplace_back(k, kLabels[k]);
  c.note = fmt::format("{} answers; the last point of each line is the maximum", Count(n));
  return SvgChart(c);
}

}  // namespace

std::string LoadSection(const ReportInput& in) {
  std::string out = "<section id=\"load\"><h2>Load over time</h2>";
  if (in.series.empty()) {
    out += "<p class=\"muted\">No series.jsonl in the results folder.</p>";
  } else {
    out += "<div class=\"charts\">" + RateChart(in.series) + LatencyChart(in.series) +
           ErrorsChart(in.series) + SpansChart(in.series) + "</div>";
  }
  out += "</section><section id=\"latency\"><h2>Latency distribution</h2><div class=\"charts\">" +
         SpectrumChart(in) + "</div>";
  const json load = in.summary.value("load", json::object());
  out +=
      "<table class=\"grid\"><tr><th></th><th class=\"num\">p50</th><th class=\"num\">p90</th>"
      "<th class=\"num\">p99</th><th class=\"num\">p99.9</th><th class=\"num\">max</th></tr>";
  for (const char* key : {"latency_corrected", "latency_uncorrected"}) {
    const json l = load.value(key, json::object());
    fmt::format_to(std::back_inserter(out), "<tr><th>{}</th>", key + 8);
    for (const char* p : {"p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms"})
      fmt::format_to(std::back_inserter(out), "<td class=\"num\">{:.2f} ms</td>", l.value(p, 0.0));
    out += "</tr>";
  }
  return out + "</table></section>";
}

}  // namespace traceproof
