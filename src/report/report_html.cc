#include "report/report_html.h"

#include <fstream>

#include "report/html_page.h"
#include "report/report_sections.h"

namespace traceproof {

std::string ReportHtml(const ReportInput& in, const ReportOptions& options) {
  // The traces first: the checks table links only to the waterfalls actually drawn.
  const DrawnTraces drawn = TracesSection(in, options);
  std::string body = HeaderSection(in);
  body +=
      "<nav class=\"toc\"><a href=\"#verdict\">verdict</a><a href=\"#traces\">traces</a>"
      "<a href=\"#load\">load</a><a href=\"#latency\">latency</a><a href=\"#ledger\">spans "
      "ledger</a><a href=\"#sampling\">sampling</a><a href=\"#queues\">queues</a>"
      "<a href=\"#resources\">CPU and RSS</a></nav>";
  body += ChecksSection(in, drawn);
  body += drawn.html;
  body += LoadSection(in);
  body += LedgerSection(in);
  body += ResourcesSection(in);
  const std::string name = in.summary.value("scenario", nlohmann::json::object()).value("name", "");
  return HtmlDocument(
      "traceproof: " + name + " (" + in.summary.value("verdict", "") + ")", body,
      "traceproof report.html: self-contained (no network; CSP default-src 'none'). Charts and "
      "waterfalls are hand-made inline SVG (src/report/svg_chart.h, waterfall_svg.h: a few "
      "static series need no chart library, and nothing has to be embedded but markup). "
      "Regenerate with: traceproof report RESULTS_DIR");
}

std::optional<ReportWritten> WriteReportHtml(const std::filesystem::path& dir,
                                             const ReportOptions& options, std::string& error) {
  const std::optional<ReportInput> in = ReadReportInput(dir, options.slowest_traces, error);
  if (!in) return std::nullopt;
  const std::string html = ReportHtml(*in, options);
  ReportWritten written;
  written.path = dir / "report.html";
  written.bytes = html.size();
  std::ofstream f(written.path, std::ios::trunc | std::ios::binary);
  f << html;
  f.flush();
  if (!f) {
    error = "cannot write " + written.path.string();
    return std::nullopt;
  }
  const std::size_t figures = [&] {
    std::size_t n = 0;
    for (std::size_t p = html.find("<figure class=\"waterfall\""); p != std::string::npos;
         p = html.find("<figure class=\"waterfall\"", p + 1))
      ++n;
    return n;
  }();
  written.waterfalls = figures;
  return written;
}

}  // namespace traceproof
