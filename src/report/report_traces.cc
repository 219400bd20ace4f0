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

// The record's own trace id: its last "trace_id" key. TraceToJson's keys are sorted, so the
// record's comes after "spans" (whose spans and links carry theirs). "" when there is none.
std::string_view RecordTraceId(std::string_view line) {
  constexpr std::string_view kKey = "\"trace_id\":\"";
  const std::size_t at = line.rfind(kKey);
  if (at == std::string_view::npos || at + kKey.size() + 32 > line.size()) return "";
  return line.substr(at + kKey.size(), 32);
}

// The first pass reads only times, without parsing: at 1,000 req/s a minute is ~500 MB of
// records, and a full parse of each took 11 s where this scan takes a fraction. An attribute
// key spelled like a span's time field could only change which traces count as slowest; what
// is drawn is parsed in full in the second pass.
void Widen(Extent& e, std::string_view line) {
  auto each = [&](std::string_view key, auto&& take) {
    for (std::size_t p = line.find(key); p != std::string_view::npos; p = line.find(key, p + 1)) {
      std::uint64_t v = 0;
      std::size_t i = p + key.size();
      if (i >= line.size() || line[i] < '0' || line[i] > '9') continue;
      for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) v = v * 10 + (line[i] - '0');
      take(v);
    }
  };
  each("\"start_time_unix_nano\":", [&](std::uint64_t v) { e.start = std::min(e.start, v); });
  each("\"end_time_unix_nano\":", [&](std::uint64_t v) { e.end = std::max(e.end, v); });
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
        const std::string_view id = RecordTraceId(line);
        if (id.empty() || line.front() != '{') return bad(n, "not a trace record");
        Widen(extents[std::string(id)], line);
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
      [&](std::string_view line, std::uint64_t n) {
        // Only the kept traces are parsed again; the parse confirms the id.
        if (!keep.count(std::string(RecordTraceId(line)))) return;
        json record = json::parse(line, nullptr, false);
        if (record.is_discarded() || !record.is_object()) return bad(n, "not JSON");
        if (keep.count(record.value("trace_id", ""))) records.push_back(std::move(record));
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
