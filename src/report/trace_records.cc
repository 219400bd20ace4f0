#include "report/trace_records.h"

#include <string>
#include <unordered_map>

namespace traceproof {

using nlohmann::json;

json ShapeOfSpans(const json& spans) {
  json roots = json::array(), orphans = json::array(), duplicates = json::array(),
       skewed = json::array();
  std::unordered_map<std::string, std::size_t> by_id;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const std::string id = spans[i].value("span_id", "");
    if (!by_id.emplace(id, i).second) duplicates.push_back(id);
  }
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const json& s = spans[i];
    const std::string id = s.value("span_id", "");
    const std::string parent = s.value("parent_span_id", "");
    if (parent.empty()) {
      roots.push_back(id);
      continue;
    }
    const auto it = by_id.find(parent);
    if (it == by_id.end() || it->second == i) {
      orphans.push_back(id);
      continue;
    }
    const json& p = spans[it->second];
    auto time = [](const json& span, const char* key) { return span.value(key, std::uint64_t{0}); };
    if (time(s, "start_time_unix_nano") < time(p, "start_time_unix_nano") ||
        time(s, "end_time_unix_nano") > time(p, "end_time_unix_nano")) {
      skewed.push_back(id);
    }
  }
  return {{"roots", std::move(roots)},
          {"orphans", std::move(orphans)},
          {"duplicate_span_ids", std::move(duplicates)},
          {"skewed_spans", std::move(skewed)}};
}

std::vector<json> FoldTraceRecords(const std::vector<json>& records) {
  std::vector<json> traces;
  std::unordered_map<std::string, std::size_t> index;
  for (const json& record : records) {
    const std::string id = record.value("trace_id", "");
    const bool update = record.value("update", false);
    const auto [it, first] = index.emplace(id, traces.size());
    if (first || !update) {
      // A second whole record of one trace stays separate: a reader must see that bug.
      traces.push_back(record);
      if (!update) traces.back()["late_spans"] = 0;
      continue;
    }
    json& t = traces[it->second];
    const json& late = record.contains("spans") ? record["spans"] : json::array();
    for (const json& span : late) t["spans"].push_back(span);
    t["late_spans"] = t.value("late_spans", std::size_t{0}) + late.size();
    t["times_completed"] = record.value("times_completed", t.value("times_completed", 1));
  }
  for (json& t : traces) {
    // A trace written whole keeps the shape the sink computed.
    if (t.value("update", false) || t.value("late_spans", std::size_t{0}) == 0) continue;
    const json shape = ShapeOfSpans(t["spans"]);
    for (const auto& [key, value] : shape.items()) t[key] = value;
  }
  return traces;
}

}  // namespace traceproof
