#include "report/series_jsonl.h"

#include <cmath>

namespace traceproof {
namespace {

// Three decimals are plenty for seconds and percentages, and keep the rows short.
double Rounded(double value) { return std::round(value * 1000) / 1000; }

}  // namespace

nlohmann::ordered_json SeriesSampleJson(const SeriesSample& s) {
  nlohmann::ordered_json j;
  j["t_s"] = Rounded(s.t_s);
  j["interval_s"] = Rounded(s.interval_s);
  j["phase"] = s.phase;
  j["requests_per_s_target"] = Rounded(s.requests_per_s_target);
  j["requests_per_s"] = Rounded(s.requests_per_s);
  j["requests"] = s.requests;
  j["responses"] = s.responses;
  j["p50_ns"] = s.p50_ns;
  j["p99_ns"] = s.p99_ns;
  j["max_ns"] = s.max_ns;
  j["dropped_iterations"] = s.dropped_iterations;
  j["errors"] = nlohmann::ordered_json::object();
  for (const auto& [kind, n] : s.errors) j["errors"][kind] = n;
  j["spans_received"] = s.spans_received;
  j["processes"] = nlohmann::ordered_json::array();
  for (const ProcessSample& p : s.processes) {
    j["processes"].push_back(
        {{"name", p.name}, {"rss_bytes", p.rss_bytes}, {"cpu_percent", Rounded(p.cpu_percent)}});
  }
  return j;
}

std::string SeriesJsonl(const std::vector<SeriesSample>& series) {
  std::string out;
  for (const SeriesSample& s : series) out += SeriesSampleJson(s).dump() + "\n";
  return out;
}

}  // namespace traceproof
