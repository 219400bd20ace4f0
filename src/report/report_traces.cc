#include "report/report_traces.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "report/jsonl_lines.h"
#include "report/trace_from_json.h"
#include "report/trace_records.h"

namespace traceproof {
namespace {

using nlohmann::json;

struct Extent {
  std::uint64_t start = UINT64_MAX, end = 0;
  std::uint64_t DurationNs() const { return end > start ? end - start : 0; }
};

void Widen(Extent& e, const json& record) {
  const auto it = record.find("spans");
  if (it == record.end() || !it->is_array()) return;
  for (const json& s : *it) {
    e.start = std::min(e.start, s.value("start_time_unix_nano", UINT64_MAX));
    e.end = std::max(e.end, s.value("end_time_unix_nano", std::uint64_t{0}));
  }
}

std::vector<std::string> Slowest(const std::unordered_map<std::string, Extent>& extents,
                                 std::size_t n) {
  std::vector<std::pair<std::uint64_t, std::string>> by_duration;
  by_duration.reserve(extents.size());
  for (const auto& [id, e] : extents) by_duration.emplace_back(e.DurationNs(), id);
  n = std::min(n, by_duration.size());
  std::partial_sort(by_duration.begin(), by_duration.begin() + static_cast<std::ptrdiff_t>(n),
                    by_duration.end(), [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : a.second < b.second;
                    });
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < n; ++i) ids.push_back(by_duration[i].second);
  return ids;
}

}  // namespace

std::optional<ReportTraces> PickReportTraces(const std::filesystem::path& file,
                                             const std::set<std::string>& wanted,
                                             std::size_t slowest_count, std::string& error) {
  ReportTraces out;
  std::unordered_map<std::string, Extent> extents;
  auto bad = [&](std::uint64_t n, const std::string& why) {
    if (out.problems.size() < 20)
      out.problems.push_back(fmt::format("{}:{}: {}", file.string(), n, why));
  };
  const auto first = ForEachJsonlLine(
      file,
      [&](std::string_view line, std::uint64_t n) {
        if (line.empty()) return;
        const json record = json::parse(line, nullptr, false);
        if (record.is_discarded() || !record.is_object()) return bad(n, "not JSON");
        Widen(extents[record.value("trace_id", "")], record);
      },
      error);
  if (!first) return std::nullopt;
  out.traces_in_file = extents.size();
  out.slowest = Slowest(extents, slowest_count);
  extents.clear();
  std::set<std::string> keep(wanted.begin(), wanted.end());
  keep.insert(out.slowest.begin(), out.slowest.end());
  std::vector<json> records;
  const auto second = ForEachJsonlLine(
      file,
      [&](std::string_view line, std::uint64_t) {
        // Only the kept traces are parsed again. The record's own id is its last "trace_id" key:
        // TraceToJson's keys are sorted, so it follows "spans" (whose spans and links carry
        // theirs); the parse below confirms it.
        const std::string_view key = "\"trace_id\":\"";
        const std::size_t at = line.rfind(key);
        if (at == std::string_view::npos ||
            !keep.count(std::string(line.substr(at + key.size(), 32))))
          return;
        json record = json::parse(line, nullptr, false);
        if (!record.is_discarded() && record.is_object() &&
            keep.count(record.value("trace_id", "")))
          records.push_back(std::move(record));
      },
      error);
  if (!second) return std::nullopt;
  for (const json& t : FoldTraceRecords(records)) {
    std::string why;
    auto trace = TraceFromJson(t, why);
    if (!trace) {
      bad(0, "trace " + t.value("trace_id", "") + ": " + why);
      continue;
    }
    out.by_id.emplace((*trace)->id.Hex(), *trace);  // a second whole record: the first is drawn
  }
  return out;
}

}  // namespace traceproof
