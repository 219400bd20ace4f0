// The job summary of a run in Markdown, for CI pages (GitHub Actions shows the file
// $GITHUB_STEP_SUMMARY names under the job): the verdict, a table of the checks with their
// reasons, and the slowest trace as a tree in a code block. Link-free: no URL or path a CI page
// could not open, only text. `traceproof run` and `traceproof compare` write it with
// --summary-md FILE and append it to $GITHUB_STEP_SUMMARY when that is set. Pure functions
// except WriteJobSummary, which writes files; thread-safe.
#pragma once

#include <string>

#include "report/summary_json.h"

namespace traceproof {

// Text for one Markdown table cell: `|` escaped, line breaks as spaces, `<` and `>` as entities
// (a label like `p99 <= 800 ms` must not open an HTML tag).
std::string MarkdownCell(const std::string& text);

std::string RunSummaryMarkdown(const Scenario& scenario, const RunOutcome& outcome,
                               const RunVerdict& verdict);

// Writes `markdown` to `file` (replacing it, or after what it holds with `append_to_file`)
// unless `file` is empty, and appends it to `step_summary` (GITHUB_STEP_SUMMARY's value) unless
// that is empty. False with `error` naming the file that could not be written.
bool WriteJobSummary(const std::string& markdown, const std::string& file,
                     const std::string& step_summary, std::string& error,
                     bool append_to_file = false);

}  // namespace traceproof
