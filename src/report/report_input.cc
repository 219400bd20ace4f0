#include "report/report_input.h"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "report/jsonl_lines.h"

namespace traceproof {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void ReadSeries(ReportInput& in) {
  std::string error;
  const fs::path path = in.dir / "series.jsonl";
  if (!fs::exists(path)) return;
  ForEachJsonlLine(
      path,
      [&](std::string_view line, std::uint64_t n) {
        if (line.empty()) return;
        nlohmann::json row = nlohmann::json::parse(line, nullptr, false);
        if (row.is_object())
          in.series.push_back(std::move(row));
        else
          in.notes.push_back("series.jsonl:" + std::to_string(n) +
                             ": not a JSON object (left out)");
      },
      error);
  if (!error.empty()) in.notes.push_back(error);
}

std::optional<Histogram> ReadHistogram(ReportInput& in, const char* name) {
  const fs::path path = in.dir / "histograms" / name;
  const std::optional<std::string> text = ReadText(path);
  if (!text) return std::nullopt;
  std::optional<Histogram> h = Histogram::Deserialize(*text);
  if (!h) in.notes.push_back(std::string("histograms/") + name + ": not a traceproof histogram");
  return h;
}

void ReadCollector(ReportInput& in) {
  const nlohmann::json& c = in.summary.value("collector", nlohmann::json::object());
  const std::string config = c.value("config", "");
  if (!config.empty()) {
    fs::path path(config);
    if (path.is_relative() && !fs::exists(path)) path = in.dir / path;
    if (std::optional<std::string> text = ReadText(path)) in.collector_config = *text;
  }
  if (std::optional<std::string> log = ReadText(in.dir / "collector.log")) {
    // The Collector logs its build at start: ... {"Version": "0.116.0", "NumCPU": 2}.
    static const std::regex kVersion(R"re("Version":\s*"([^"]+)")re");
    std::smatch m;
    const std::string head = log->substr(0, 64 * 1024);
    if (std::regex_search(head, m, kVersion)) in.collector_version = m[1];
  }
}

}  // namespace

std::vector<std::string> FailingEvidence(const nlohmann::json& summary) {
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (const nlohmann::json& c : summary.value("checks", nlohmann::json::array())) {
    if (c.value("status", "") != "fail") continue;
    for (const nlohmann::json& id : c.value("evidence", nlohmann::json::array()))
      if (id.is_string() && seen.insert(id.get<std::string>()).second) ids.push_back(id);
  }
  return ids;
}

std::optional<ReportInput> ReadReportInput(const fs::path& dir, std::size_t slowest_count,
                                           std::string& error) {
  ReportInput in;
  in.dir = dir;
  const std::optional<std::string> summary = ReadText(dir / "summary.json");
  if (!summary) {
    error = (dir / "summary.json").string() + ": missing (not a results folder of traceproof run)";
    return std::nullopt;
  }
  in.summary = nlohmann::json::parse(*summary, nullptr, false);
  if (!in.summary.is_object()) {
    error = (dir / "summary.json").string() + ": not a JSON object";
    return std::nullopt;
  }
  if (std::optional<std::string> rd = ReadText(dir / "run_data.json")) {
    in.run_data = nlohmann::json::parse(*rd, nullptr, false);
    if (in.run_data.is_discarded())
      in.run_data = nullptr, in.notes.push_back("run_data.json: not JSON");
  }
  ReadSeries(in);
  in.corrected = ReadHistogram(in, "corrected.hist");
  in.uncorrected = ReadHistogram(in, "uncorrected.hist");
  ReadCollector(in);
  if (const std::optional<fs::path> traces = TracesFileIn(dir)) {
    const std::vector<std::string> evidence = FailingEvidence(in.summary);
    std::string why;
    in.traces = PickReportTraces(*traces, {evidence.begin(), evidence.end()}, slowest_count, why);
    if (!in.traces)
      in.notes.push_back(why);
    else
      for (const std::string& p : in.traces->problems) in.notes.push_back(p);
  }
  return in;
}

}  // namespace traceproof
