// The sections of report.html (report/report_html.h), one function each, every one a piece of
// escaped markup built from the results folder's files. Internal to the report; pure
// functions, thread-safe.
#pragma once

#include <set>
#include <string>

#include "report/report_html.h"
#include "report/report_input.h"

namespace traceproof {

// The waterfalls the page draws, and the anchors of those it drew.
struct DrawnTraces {
  std::string html;
  std::set<std::string> anchors;  // ids of the <figure>s on the page
  std::size_t count = 0;
};
DrawnTraces TracesSection(const ReportInput& in, const ReportOptions& options);

std::string HeaderSection(const ReportInput& in);
// The verdict and the checks table; evidence ids link to waterfalls in `drawn`.
std::string ChecksSection(const ReportInput& in, const DrawnTraces& drawn);
std::string LoadSection(const ReportInput& in);       // load over time and latency spectrum
std::string LedgerSection(const ReportInput& in);     // spans per hop, sampling, queues
std::string ResourcesSection(const ReportInput& in);  // CPU and RSS, the Collector

// Shared by the sections: "1234567" as "1,234,567".
std::string Count(std::uint64_t n);

}  // namespace traceproof
