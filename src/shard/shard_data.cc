#include "shard/shard_data.h"

#include <algorithm>
#include <map>
#include <string>

namespace traceproof {
namespace {

void AddHop(std::vector<HopCounters>& hops, const HopCounters& from) {
  auto it = std::find_if(hops.begin(), hops.end(),
                         [&](const HopCounters& h) { return h.name == from.name; });
  if (it == hops.end()) {
    hops.push_back(from);
    return;
  }
  it->received += from.received;
  it->passed_on += from.passed_on;
  for (const auto& [reason, n] : from.dropped) {
    auto d = std::find_if(it->dropped.begin(), it->dropped.end(),
                          [&](const auto& r) { return r.first == reason; });
    if (d == it->dropped.end())
      it->dropped.emplace_back(reason, n);
    else
      d->second += n;
  }
}

RunOutcome::Status StatusOf(const std::string& name) {
  if (name == "interrupted") return RunOutcome::Status::kInterrupted;
  if (name == "environment_error") return RunOutcome::Status::kEnvironmentError;
  return RunOutcome::Status::kCompleted;
}

// Fields of a series row that are not counts or rates to add.
bool IsHighest(const std::string& key) {
  return key == "p50_ns" || key == "p99_ns" || key == "max_ns";
}
bool IsShared(const std::string& key) {
  return key == "t_s" || key == "interval_s" || key == "phase";
}

void AddRow(nlohmann::ordered_json& into, const nlohmann::ordered_json& row, std::size_t shard) {
  for (const auto& [key, value] : row.items()) {
    if (IsShared(key)) {
      if (!into.contains(key)) into[key] = value;
    } else if (key == "processes" && value.is_array()) {
      for (nlohmann::ordered_json p : value) {
        p["name"] = "shard " + std::to_string(shard) + ": " + p.value("name", std::string());
        into["processes"].push_back(std::move(p));
      }
    } else if (key == "errors" && value.is_object()) {
      nlohmann::ordered_json& errors = into[key];
      if (!errors.is_object()) errors = nlohmann::ordered_json::object();
      for (const auto& [kind, n] : value.items())
        errors[kind] = errors.value(kind, 0ULL) + n.get<std::uint64_t>();
    } else if (value.is_number()) {
      if (!into.contains(key)) {
        into[key] = value;
      } else if (IsHighest(key)) {
        into[key] = std::max(into[key].get<double>(), value.get<double>());
        if (value.is_number_unsigned()) into[key] = into[key].get<std::uint64_t>();
      } else if (value.is_number_float()) {
        into[key] = into[key].get<double>() + value.get<double>();
      } else {
        into[key] = into[key].get<std::uint64_t>() + value.get<std::uint64_t>();
      }
    }
  }
}

}  // namespace

void AddShardRunData(RunData& into, RunData from, int shard) {
  const double rate = into.load.target_rate_per_s + from.load.target_rate_per_s;
  const double duration = std::max(into.load.duration_s, from.load.duration_s);
  AddLoadStats(into.load, from.load);
  into.load.target_rate_per_s = rate;
  into.load.duration_s = duration;
  for (const HopCounters& h : from.hops) AddHop(into.hops, h);
  for (SinkRouting& sink : from.sinks) {
    sink.name = "shard " + std::to_string(shard) + ": " + sink.name;
    into.sinks.push_back(std::move(sink));
  }
  into.run_seconds = std::max(into.run_seconds, from.run_seconds);
  into.tail_sampling = into.tail_sampling || from.tail_sampling;
  if (into.load_entry_services.empty()) into.load_entry_services = from.load_entry_services;
  if (into.head_sampler.empty()) {
    into.head_sampler = from.head_sampler;
    into.head_sampler_ratio = from.head_sampler_ratio;
  }
}

void AddShardSummary(RunOutcome& into, const nlohmann::json& summary) {
  const nlohmann::json spans = summary.value("spans", nlohmann::json::object());
  into.sink_spans_received += spans.value("sink_received", 0ULL);
  into.sink_spans_accepted += spans.value("sink_accepted", 0ULL);
  into.sink_spans_refused += spans.value("sink_refused", 0ULL);
  into.sink_update_records += spans.value("sink_update_records", 0ULL);
  into.sink_late_spans += spans.value("sink_late_spans", 0ULL);
  into.status = std::max(into.status, StatusOf(summary.value("status", std::string())));
  into.wall_seconds = std::max(into.wall_seconds, summary.value("wall_seconds", 0.0));
}

std::vector<nlohmann::ordered_json> MergeSeriesRows(
    const std::vector<std::vector<nlohmann::ordered_json>>& shards) {
  // Phases in the order the first shard to have each met them; row k of a phase across shards.
  std::vector<std::string> phases;
  std::map<std::string, std::vector<nlohmann::ordered_json>> merged;
  for (std::size_t shard = 0; shard < shards.size(); ++shard) {
    std::map<std::string, std::size_t> row_in_phase;
    for (const nlohmann::ordered_json& row : shards[shard]) {
      const std::string phase = row.value("phase", std::string());
      auto& rows = merged[phase];
      if (rows.empty() && std::find(phases.begin(), phases.end(), phase) == phases.end())
        phases.push_back(phase);
      const std::size_t k = row_in_phase[phase]++;
      if (rows.size() <= k) rows.resize(k + 1, nlohmann::ordered_json::object());
      AddRow(rows[k], row, shard);
    }
  }
  std::vector<nlohmann::ordered_json> out;
  for (const std::string& phase : phases)
    for (auto& row : merged[phase]) out.push_back(std::move(row));
  return out;
}

}  // namespace traceproof
