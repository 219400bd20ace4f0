#include "report/job_summary.h"

#include <fmt/format.h>

#include <fstream>

#include "checks/critical_path.h"
#include "report/tree_text.h"
#include "store/trace_shape.h"

namespace traceproof {

std::string MarkdownCell(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '|':
        out += "\\|";
        break;
      case '\n':
      case '\r':
        out += ' ';
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RunSummaryMarkdown(const Scenario& scenario, const RunOutcome& outcome,
                               const RunVerdict& verdict) {
  std::size_t passed = 0;
  for (const CheckResult& r : outcome.results) passed += r.passed;
  std::string out = fmt::format("## traceproof run: {}\n\n", MarkdownCell(scenario.name));
  if (!scenario.description.empty()) out += MarkdownCell(scenario.description) + "\n\n";
  fmt::format_to(std::back_inserter(out), "**verdict: {}** ({} of {} checks passed){}\n\n",
                 verdict.checks_passed ? "PASS" : "FAIL", passed, outcome.results.size(),
                 scenario.expect.pass  ? ""
                 : verdict.as_expected ? ", as expected: this scenario demonstrates a failure"
                                       : ", NOT as expected: " + MarkdownCell(verdict.why));
  out += "| check | status | asserted | reason | where |\n|---|---|---|---|---|\n";
  for (const CheckResult& r : outcome.results)
    fmt::format_to(std::back_inserter(out), "| {} | {} | {} | {} | {} |\n", MarkdownCell(r.kind),
                   r.passed ? "PASS" : "**FAIL**", MarkdownCell(r.label), MarkdownCell(r.reason),
                   r.pos.line ? fmt::format("line {}", r.pos.line) : "");
  const LoadStats& load = outcome.data.load;
  fmt::format_to(std::back_inserter(out),
                 "\n{} requests sent at {:.1f} req/s, p99 {} (corrected), {} errors, {} dropped "
                 "iterations; {} spans received by the sink\n",
                 load.sent, load.AchievedRatePerS(),
                 FormatDuration(static_cast<std::int64_t>(load.corrected.ValueAtPercentile(99))),
                 load.Errors(), load.dropped_iterations, outcome.sink_spans_accepted);
  if (const Trace* slow = outcome.traces.slowest.get()) {
    const TraceShape shape = AnalyzeTrace(*slow);
    const std::vector<std::size_t> path = CriticalPath(*slow, shape);
    out += "\nslowest trace\n\n```\n" + TraceTreeText(*slow, &path) + "```\n";
  }
  return out;
}

bool WriteJobSummary(const std::string& markdown, const std::string& file,
                     const std::string& step_summary, std::string& error, bool append_to_file) {
  auto write = [&](const std::string& path, std::ios::openmode mode) {
    std::ofstream f(path, mode | std::ios::binary);
    f << markdown << (mode & std::ios::app ? "\n" : "");
    f.flush();
    if (!f) error = fmt::format("cannot write the job summary to {}", path);
    return static_cast<bool>(f);
  };
  bool ok = true;
  if (!file.empty()) ok &= write(file, append_to_file ? std::ios::app : std::ios::trunc);
  if (!step_summary.empty()) ok &= write(step_summary, std::ios::app);
  return ok;
}

}  // namespace traceproof
