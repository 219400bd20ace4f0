#include "report/recorded_run.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "report/results_folder.h"
#include "report/trace_from_json.h"
#include "truth/ground_truth.h"
#include "truth/inbound_record.h"

namespace traceproof {

bool ReadGroundTruthFile(const std::filesystem::path& path, RunData& data, std::string& error) {
  std::ifstream in(path);
  if (!in) return true;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    // Which record a line is, by its field, not by how a writer happened to space it.
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    std::string why;
    if (j.is_object() && j.value("record", std::string()) == "inbound") {
      if (auto r = InboundFromJson(line, why)) {
        data.inbound.push_back(std::move(*r));
        continue;
      }
    } else if (auto s = GroundTruthFromJson(line, why)) {
      data.truth.push_back(std::move(*s));
      continue;
    }
    error = fmt::format("{}:{}: {}", path.string(), n, why);
    return false;
  }
  return true;
}

bool ForEachRecordedTrace(const std::filesystem::path& path, const RecordedTraceVisitor& visit,
                          std::string& error) {
  std::string bad;
  const bool read = ForEachLine(
      path,
      [&](std::string_view line, std::uint64_t n) {
        if (line.empty()) return true;
        std::string why;
        const nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
        auto trace = record.is_discarded() ? std::nullopt : TraceFromJson(record, why);
        if (!trace) {  // stop reading (the file is closed) and refuse below
          bad =
              fmt::format("{}:{}: {}", path.string(), n, record.is_discarded() ? "not JSON" : why);
          return false;
        }
        visit(*trace, line);
        return true;
      },
      error);
  if (!read) return false;
  if (!bad.empty()) {
    error = bad;
    return false;
  }
  return true;
}

}  // namespace traceproof
