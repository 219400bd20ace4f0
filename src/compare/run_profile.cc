#include "compare/run_profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "report/results_folder.h"
#include "report/trace_records.h"

namespace traceproof {
namespace {

namespace fs = std::filesystem;

struct CompactSpan {
  std::string span_id;
  std::string parent_span_id;  // empty: a root
  std::uint32_t operation = 0;
  std::int64_t start_ns = 0;
  std::int64_t duration_ns = 0;
};

// Every trace's spans, updates folded in, with operations interned.
struct TraceTable {
  std::unordered_map<std::string, std::vector<CompactSpan>> traces;
  std::vector<std::string> trace_order;  // first record's order
  std::vector<std::string> operations;
  std::unordered_map<std::string, std::uint32_t> operation_ids;
  std::int64_t first_start_ns = INT64_MAX;

  std::uint32_t Intern(const std::string& name) {
    auto [it, added] =
        operation_ids.try_emplace(name, static_cast<std::uint32_t>(operations.size()));
    if (added) operations.push_back(name);
    return it->second;
  }
};

bool AddRecord(const nlohmann::json& record, TraceTable& table, std::string& error) {
  if (!record.is_object() || !record.contains("trace_id") || !record.contains("spans") ||
      !record["spans"].is_array()) {
    error = "not a trace record (want trace_id and spans)";
    return false;
  }
  const std::string id = record["trace_id"].get<std::string>();
  auto [it, added] = table.traces.try_emplace(id);
  if (added) table.trace_order.push_back(id);
  std::size_t i = 0;
  for (const auto& s : record["spans"]) {
    try {
      CompactSpan c;
      c.span_id = s.at("span_id").get<std::string>();
      c.parent_span_id = s.value("parent_span_id", "");
      c.operation = table.Intern(OperationName(
          s.value("service_name", ""), s.at("name").get<std::string>(), s.value("kind", "")));
      c.start_ns = s.at("start_time_unix_nano").get<std::int64_t>();
      c.duration_ns = s.at("duration_ns").get<std::int64_t>();
      table.first_start_ns = std::min(table.first_start_ns, c.start_ns);
      it->second.push_back(std::move(c));
    } catch (const nlohmann::json::exception& e) {
      error = fmt::format("spans[{}]: {}", i, e.what());
      return false;
    }
    ++i;
  }
  return true;
}

// One trace into its route: edges by parent operation, durations by operation.
void Profile(const std::string& id, const std::vector<CompactSpan>& spans, const TraceTable& table,
             RunProfile& run) {
  std::int64_t start_ns = INT64_MAX;
  for (const CompactSpan& s : spans) start_ns = std::min(start_ns, s.start_ns);
  if (static_cast<double>(start_ns - table.first_start_ns) < run.warmup_s * 1e9) {
    ++run.warmup_traces;
    return;
  }
  ++run.traces;
  const CompactSpan* root = nullptr;
  std::unordered_map<std::string_view, const CompactSpan*> by_id;
  for (const CompactSpan& s : spans) {
    by_id.emplace(s.span_id, &s);
    if (!s.parent_span_id.empty()) continue;
    if (root) {
      ++run.traces_without_route;  // several roots: which route is it?
      return;
    }
    root = &s;
  }
  if (!root) {
    ++run.traces_without_route;
    return;
  }
  const std::string& route_name = table.operations[root->operation];
  RouteProfile& route = run.routes[route_name];
  route.route = route_name;
  ++route.traces;
  if (root->duration_ns > route.slowest_ns || route.slowest_trace_id.empty()) {
    route.slowest_ns = root->duration_ns;
    route.slowest_trace_id = id;
  }
  for (const CompactSpan& s : spans) {
    std::string parent = "(root)";
    if (!s.parent_span_id.empty()) {
      auto p = by_id.find(s.parent_span_id);
      parent = p == by_id.end() ? "(missing parent)" : table.operations[p->second->operation];
    }
    const std::string& op = table.operations[s.operation];
    ++route.edges[parent + " → " + op];
    DurationSample& d = route.operations[op];
    d.duration_ns.push_back(s.duration_ns);
    d.start_ms.push_back(static_cast<std::uint32_t>(
        std::max<std::int64_t>(0, (s.start_ns - table.first_start_ns) / 1'000'000)));
  }
}

std::uint64_t U64(const nlohmann::json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<std::uint64_t>() : 0;
}

bool ReadSummary(const nlohmann::json& summary, RunProfile& run, std::string& error) {
  try {
    run.scenario = summary.at("scenario").at("name").get<std::string>();
    run.started_utc = summary.value("started_utc", "");
    run.passed = summary.at("verdict").get<std::string>() == "pass";
    for (const auto& c : summary.at("checks"))
      run.checks.push_back({c.at("kind").get<std::string>(), c.at("label").get<std::string>(),
                            c.at("status").get<std::string>() == "pass", c.value("reason", "")});
    const nlohmann::json& load = summary.at("load");
    run.requests_sent = U64(load, "sent");
    run.request_errors = run.requests_sent - std::min(run.requests_sent, U64(load, "ok"));
    run.dropped_iterations = U64(load, "dropped_iterations");
    run.achieved_rate_per_s = load.value("achieved_rate_per_s", 0.0);
    const nlohmann::json& spans = summary.at("spans");
    run.spans_started = U64(spans, "ground_truth");
    run.spans_delivered = U64(spans, "sink_accepted");
    run.spans_lost = U64(spans, "sink_refused");
    const nlohmann::json hops = spans.value("hops", nlohmann::json::array());
    for (const auto& hop : hops) {
      const nlohmann::json dropped = hop.value("dropped", nlohmann::json::object());
      for (const auto& [reason, n] : dropped.items())
        if (n.is_number()) run.spans_lost += n.get<std::uint64_t>();
    }
  } catch (const nlohmann::json::exception& e) {
    error = fmt::format("not the summary.json `traceproof run` writes ({})", e.what());
    return false;
  }
  return true;
}

// The warm-up's length from series.jsonl (absent: none, as in a run without warm-up).
double WarmupSeconds(const fs::path& dir) {
  std::string ignored;
  double seconds = 0;
  ForEachLine(
      dir / "series.jsonl",
      [&](std::string_view line, std::uint64_t) {
        const nlohmann::json row = nlohmann::json::parse(line, nullptr, false);
        if (row.is_object() && row.value("phase", "") == "warm-up")
          seconds += row.value("interval_s", 0.0);
        return true;
      },
      ignored);
  return seconds;
}

bool ReadTraces(const fs::path& file, RunProfile& run, std::string& error) {
  TraceTable table;
  std::string bad;
  const bool read = ForEachLine(
      file,
      [&](std::string_view line, std::uint64_t n) {
        if (line.empty()) return true;
        const nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
        std::string why = record.is_discarded() ? "not JSON" : "";
        if (why.empty() && AddRecord(record, table, why)) return true;
        bad = fmt::format("{}:{}: {}", file.string(), n, why);
        return false;
      },
      error);
  if (!read) return false;
  if (!bad.empty()) {
    error = bad;
    return false;
  }
  for (const std::string& id : table.trace_order) Profile(id, table.traces[id], table, run);
  return true;
}

}  // namespace

std::string OperationName(const std::string& service, const std::string& name,
                          const std::string& kind) {
  return kind.empty() ? fmt::format("{} {}", service, name)
                      : fmt::format("{} {} [{}]", service, name, kind);
}

std::optional<RunProfile> ReadRunProfile(const fs::path& dir, std::string& error) {
  if (!fs::is_directory(dir)) {
    error = fmt::format("{}: not a directory", dir.string());
    return std::nullopt;
  }
  for (const char* file : {"summary.json", "run_data.json"}) {
    if (!fs::exists(dir / file)) {
      error = fmt::format("{} is not a results folder of `traceproof run`: it has no {}",
                          dir.string(), file);
      return std::nullopt;
    }
  }
  RunProfile run;
  run.dir = dir.string();
  const std::optional<nlohmann::json> summary = ReadJsonFile(dir / "summary.json", error);
  if (!summary) return std::nullopt;
  if (!ReadSummary(*summary, run, error)) {
    error = (dir / "summary.json").string() + ": " + error;
    return std::nullopt;
  }
  const std::optional<nlohmann::json> run_data = ReadJsonFile(dir / "run_data.json", error);
  if (!run_data) return std::nullopt;
  if (run_data->contains("head_sampler_ratio") && (*run_data)["head_sampler_ratio"].is_number())
    run.head_sampler_ratio = (*run_data)["head_sampler_ratio"].get<double>();
  if (fs::exists(dir / "series.jsonl")) run.warmup_s = WarmupSeconds(dir);
  const fs::path traces = FindTracesFile(dir, error);
  if (traces.empty() || !ReadTraces(traces, run, error)) return std::nullopt;
  return run;
}

std::optional<nlohmann::json> ReadTraceRecord(const fs::path& dir, const std::string& trace_id) {
  std::string error;
  const fs::path file = FindTracesFile(dir, error);
  if (file.empty()) return std::nullopt;
  std::vector<nlohmann::json> records;
  ForEachLine(
      file,
      [&](std::string_view line, std::uint64_t) {
        if (line.find(trace_id) == std::string_view::npos) return true;
        nlohmann::json r = nlohmann::json::parse(line, nullptr, false);
        if (!r.is_discarded() && r.value("trace_id", "") == trace_id)
          records.push_back(std::move(r));
        return true;
      },
      error);
  if (records.empty()) return std::nullopt;
  return FoldTraceRecords(records).front();
}

}  // namespace traceproof
