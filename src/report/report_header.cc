// report.html's header and checks table (report/report_sections.h).
#include <fmt/format.h>

#include "report/html_escape.h"
#include "report/report_sections.h"
#include "report/waterfall_svg.h"

namespace traceproof {
namespace {

using nlohmann::json;

void Item(std::string& out, std::string_view term, std::string_view html) {
  fmt::format_to(std::back_inserter(out), "<dt>{}</dt><dd>{}</dd>", EscapeHtml(term), html);
}

std::string Str(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double Num(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string CollectorItem(const ReportInput& in) {
  const json c = in.summary.value("collector", json::object());
  std::string html = fmt::format("<code>{}</code>", EscapeHtml(Str(c, "binary")));
  html += in.collector_version.empty()
              ? " <span class=\"muted\">(version not in collector.log)</span>"
              : ", version " + EscapeHtml(in.collector_version);
  fmt::format_to(std::back_inserter(html), "; exit status {}, {} kills, {} restarts",
                 c.value("exit_status", -1), c.value("kills", 0), c.value("restarts", 0));
  html += fmt::format("<details><summary>config <code>{}</code></summary><pre>{}</pre></details>",
                      EscapeHtml(Str(c, "config")),
                      in.collector_config.empty() ? "(the file is no longer readable)"
                                                  : EscapeHtml(in.collector_config));
  return html;
}

}  // namespace

std::string Count(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string HeaderSection(const ReportInput& in) {
  const json& s = in.summary;
  const json scenario = s.value("scenario", json::object());
  std::string out =
      fmt::format("<header><h1>traceproof report: {}</h1>", EscapeHtml(Str(scenario, "name")));
  if (!Str(scenario, "description").empty())
    out += "<p class=\"description\">" + EscapeHtml(Str(scenario, "description")) + "</p>";
  out += "<dl class=\"meta\">";
  Item(out, "scenario file", "<code>" + EscapeHtml(Str(scenario, "file")) + "</code>");
  Item(out, "started", EscapeHtml(Str(s, "started_utc")));
  Item(out, "duration",
       fmt::format("{:.1f} s of load phases, {:.1f} s in all", Num(s, "run_seconds"),
                   Num(s, "wall_seconds")));
  Item(out, "status",
       EscapeHtml(Str(s, "status") + (Str(s, "error").empty() ? "" : ": " + Str(s, "error"))));
  const json load = s.value("load", json::object());
  Item(out, "load",
       fmt::format("{} requests sent, {} ok; target {:.0f} req/s, achieved {:.1f} req/s",
                   Count(load.value("sent", 0u)), Count(load.value("ok", 0u)),
                   Num(load, "target_rate_per_s"), Num(load, "achieved_rate_per_s")));
  const json versions = s.value("versions", json::object());
  Item(out, "versions",
       fmt::format("traceproof {}, OTLP schema (opentelemetry-proto) {}",
                   EscapeHtml(Str(versions, "traceproof")),
                   EscapeHtml(Str(versions, "opentelemetry_proto"))));
  const json machine = s.value("machine", json::object());
  if (machine.contains("cores"))
    Item(out, "machine", fmt::format("{} cores", machine.value("cores", 0)));
  if (s.contains("collector")) Item(out, "Collector", CollectorItem(in));
  Item(out, "results", "<code>" + EscapeHtml(in.dir.string()) + "</code>");
  out += "</dl>";
  for (const std::string& note : in.notes) out += "<p class=\"warn\">" + EscapeHtml(note) + "</p>";
  return out + "</header>";
}

std::string ChecksSection(const ReportInput& in, const DrawnTraces& drawn) {
  const json& s = in.summary;
  const bool pass = Str(s, "verdict") == "pass";
  std::string out = fmt::format(
      "<section id=\"verdict\"><h2>Verdict</h2><p class=\"verdict-line\"><span class=\"verdict "
      "{0}\">{1}</span> ",
      pass ? "pass" : "fail", pass ? "PASS" : "FAIL");
  const bool as_expected = s.value("as_expected", false);
  if (Str(s, "expected") == "fail")
    out += as_expected ? "the failures the scenario expects (as expected)"
                       : "NOT as expected: " + EscapeHtml(Str(s, "why"));
  else
    out += pass ? "every check passed" : "a check failed";
  out +=
      "</p><table class=\"grid checks\"><tr><th>#</th><th>check</th><th>asserts</th><th>status</th>"
      "<th>reason</th><th>position</th><th>evidence</th></tr>";
  std::size_t i = 0;
  for (const json& c : s.value("checks", json::array())) {
    const bool ok = Str(c, "status") == "pass";
    fmt::format_to(std::back_inserter(out),
                   "<tr class=\"{0}\"><td class=\"num\">{1}</td><td>{2}</td><td>{3}</td>"
                   "<td class=\"status {0}\">{4}</td><td>{5}</td><td><code>{6}</code></td><td>",
                   ok ? "pass" : "fail", ++i, EscapeHtml(Str(c, "kind")),
                   EscapeHtml(Str(c, "label")), ok ? "PASS" : "FAIL", EscapeHtml(Str(c, "reason")),
                   EscapeHtml(Str(c, "position")));
    for (const json& id : c.value("evidence", json::array())) {
      if (!id.is_string()) continue;
      const std::string hex = id.get<std::string>();
      const std::string anchor = WaterfallAnchor(hex);
      if (drawn.anchors.count(anchor))
        fmt::format_to(std::back_inserter(out),
                       "<a class=\"evidence\" href=\"#{}\"><code>{}</code></a> ", anchor,
                       EscapeHtml(hex.substr(0, 12)));
      else
        fmt::format_to(std::back_inserter(out),
                       "<code class=\"muted\" title=\"no waterfall on this page: not in the traces "
                       "file, or past the page's size bound\">{}</code> ",
                       EscapeHtml(hex.substr(0, 12)));
    }
    out += "</td></tr>";
  }
  return out + "</table></section>";
}

}  // namespace traceproof
