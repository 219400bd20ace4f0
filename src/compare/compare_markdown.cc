#include "compare/compare_markdown.h"

#include <fmt/format.h>

#include "checks/critical_path.h"
#include "report/job_summary.h"
#include "report/tree_text.h"
#include "store/trace_shape.h"

namespace traceproof {
namespace {

std::string Verdict(const std::optional<bool>& passed) {
  if (!passed) return "absent";
  return *passed ? "PASS" : "FAIL";
}

void OperationsTable(const RunComparison& c, std::string& out) {
  const std::string p = fmt::format("p{:g}", c.options.shift.percentile);
  out += fmt::format("| route | operation | p50 | {} | change | |\n|---|---|---|---|---|---|\n", p);
  std::size_t rows = 0;
  for (const RouteComparison& r : c.routes)
    for (const OperationChange& o : r.operations) {
      if (!o.shift.significant) continue;
      ++rows;
      fmt::format_to(std::back_inserter(out), "| {} | {} | {} → {} | {} → {} | {}{} | {} |\n",
                     MarkdownCell(r.route), MarkdownCell(o.operation),
                     FormatDuration(o.base_p50_ns), FormatDuration(o.current_p50_ns),
                     FormatDuration(o.shift.base_ns), FormatDuration(o.shift.current_ns),
                     o.shift.delta_ns > 0 ? "+" : "", FormatDuration(o.shift.delta_ns),
                     o.regression    ? "**regression**"
                     : o.improvement ? "faster"
                                     : "under the thresholds");
    }
  if (!rows) out += "| | no significant change | | | | |\n";
}

}  // namespace

std::string ComparisonMarkdown(const RunComparison& c, const std::vector<SlowestPair>& slowest) {
  const std::vector<std::string> regressions = c.Regressions();
  std::string out = fmt::format("## traceproof compare: {} vs {}\n\n",
                                MarkdownCell(c.base_scenario), MarkdownCell(c.current_scenario));
  if (regressions.empty()) {
    out += "**verdict: no regression**\n\n";
  } else {
    fmt::format_to(std::back_inserter(out), "**verdict: REGRESSION** ({})\n\n", regressions.size());
    for (const std::string& line : regressions) out += "- " + MarkdownCell(line) + "\n";
    out += "\n";
  }
  OperationsTable(c, out);
  out += "\n| check | asserted | base | current |\n|---|---|---|---|\n";
  for (const CheckChange& k : c.checks)
    fmt::format_to(std::back_inserter(out), "| {} | {} | {} | {}{} |\n", MarkdownCell(k.kind),
                   MarkdownCell(k.label), Verdict(k.base_passed), Verdict(k.current_passed),
                   k.Regressed() ? " (**regression**)" : "");
  fmt::format_to(std::back_inserter(out),
                 "\nrequests {:.0f} → {:.0f} at {:.1f} → {:.1f} req/s; spans lost {:.0f} → {:.0f}; "
                 "traces per request {:.3f} → {:.3f}\n",
                 c.requests_sent.base, c.requests_sent.current, c.achieved_rate_per_s.base,
                 c.achieved_rate_per_s.current, c.spans_lost.base, c.spans_lost.current,
                 c.traces_per_request.base, c.traces_per_request.current);
  for (const SlowestPair& s : slowest) {
    if (!s.current) continue;
    const TraceShape shape = AnalyzeTrace(*s.current);
    const std::vector<std::size_t> path = CriticalPath(*s.current, shape);
    out += "\nslowest trace of " + MarkdownCell(s.route) + " now\n\n```\n" +
           TraceTreeText(*s.current, &path) + "```\n";
  }
  return out;
}

}  // namespace traceproof
