// report.html's resources (report/report_sections.h): CPU and RSS over time of traceproof and of
// each process under test (the Collector, the broker, the user's apps) from series.jsonl, and
// the Collector's own figures from summary.json.
#include <fmt/format.h>

#include <map>

#include "report/html_escape.h"
#include "report/report_sections.h"
#include "report/svg_chart.h"
#include "report/waterfall_svg.h"

namespace traceproof {
namespace {

using nlohmann::json;

using Points = std::vector<std::pair<double, double>>;

// Per process name: (t, value) of one field of its samples.
std::map<std::string, Points> ByProcess(const std::vector<json>& rows, const char* key,
                                        double scale) {
  std::map<std::string, Points> by;
  for (const json& r : rows)
    for (const json& p : r.value("processes", json::array()))
      by[p.value("name", "?")].emplace_back(r.value("t_s", 0.0), p.value(key, 0.0) * scale);
  return by;
}

std::string ProcessChart(const std::vector<json>& rows, const char* key, double scale,
                         const std::string& title, const std::string& unit) {
  ChartSpec c;
  c.title = title;
  c.x_label = "seconds";
  c.y_label = unit;
  for (auto& [name, points] : ByProcess(rows, key, scale))
    c.series.push_back({name, name == "traceproof" ? std::string("#24292f") : ServiceColour(name),
                        std::move(points)});
  return SvgChart(c);
}

std::string CollectorTable(const json& c) {
  std::string out = fmt::format(
      "<p>Collector: peak RSS {:.1f} MB, CPU mean {:.0f}% / peak {:.0f}% of a core, {:.1f} CPU "
      "seconds over {:.1f} s.</p><table class=\"grid\"><tr><th>self-metric</th><th "
      "class=\"num\">value</th></tr>",
      c.value("peak_rss_bytes", 0.0) / 1e6, c.value("mean_cpu_percent", 0.0),
      c.value("peak_cpu_percent", 0.0), c.value("cpu_seconds", 0.0),
      c.value("running_seconds", 0.0));
  const json metrics = c.value("metrics", json::object());
  for (const auto& [key, v] : metrics.items())
    out += "<tr><td>" + EscapeHtml(key) + "</td><td class=\"num\">" + EscapeHtml(v.dump()) +
           "</td></tr>";
  return out + "</table>";
}

}  // namespace

std::string ResourcesSection(const ReportInput& in) {
  std::string out = "<section id=\"resources\"><h2>Processes: CPU and RSS</h2>";
  if (in.series.empty()) {
    out += "<p class=\"muted\">No series.jsonl in the results folder.</p>";
  } else {
    out += "<div class=\"charts\">" +
           ProcessChart(in.series, "cpu_percent", 1, "CPU per process (100% = one core)",
                        "% of a core") +
           ProcessChart(in.series, "rss_bytes", 1e-6, "RSS per process", "MB") + "</div>";
  }
  if (in.summary.contains("collector")) out += CollectorTable(in.summary["collector"]);
  return out + "</section>";
}

}  // namespace traceproof
