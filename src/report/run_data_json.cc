#include "report/run_data_json.h"

namespace traceproof {

using nlohmann::json;

json RunDataJson(const RunData& d) {
  const LoadStats& l = d.load;
  json by_status = json::object();
  for (const auto& [status, n] : l.by_status) by_status[std::to_string(status)] = n;
  json started = json::array();
  for (const TraceId& t : l.started_traces) started.push_back(t.Hex());
  json hops = json::array();
  for (const HopCounters& h : d.hops) {
    json dropped = json::array();
    for (const auto& [reason, n] : h.dropped) dropped.push_back({reason, n});
    json hop = {{"name", h.name},
                {"received", h.received},
                {"passed_on", h.passed_on},
                {"dropped", dropped}};
    if (!h.tier.empty()) hop["tier"] = h.tier;
    hops.push_back(std::move(hop));
  }
  json sinks = json::array();
  for (const SinkRouting& s : d.sinks) {
    json ids = json::array();
    for (const TraceId& t : s.trace_ids) ids.push_back(t.Hex());
    json sink = {{"name", s.name},
                 {"endpoint", s.endpoint},
                 {"spans_received", s.spans_received},
                 {"trace_ids", ids}};
    if (s.killed_at_s) sink["killed_at_s"] = *s.killed_at_s;
    if (s.collector_failed_exports) sink["collector_failed_exports"] = s.collector_failed_exports;
    sinks.push_back(std::move(sink));
  }
  json j = {{"format", "traceproof-run-data v1"},
            {"load",
             {{"scheduled", l.scheduled},
              {"sent", l.sent},
              {"ok", l.ok},
              {"by_status", by_status},
              {"errors_connect", l.errors_connect},
              {"errors_timeout", l.errors_timeout},
              {"errors_reset", l.errors_reset},
              {"errors_other", l.errors_other},
              {"dropped_iterations", l.dropped_iterations},
              {"duration_s", l.duration_s},
              {"target_rate_per_s", l.target_rate_per_s},
              {"started_traces", started},
              {"spans_sent", l.spans_sent},
              {"spans_acknowledged", l.spans_acknowledged},
              {"spans_failed", l.spans_failed}}},
            {"load_entry_services", d.load_entry_services},
            {"tail_sampling", d.tail_sampling},
            {"hops", hops},
            {"run_seconds", d.run_seconds},
            {"head_sampler", d.head_sampler}};
  if (d.head_sampler_ratio) j["head_sampler_ratio"] = *d.head_sampler_ratio;
  if (!sinks.empty()) j["sinks"] = sinks;  // a sink tier only
  return j;
}

bool RunDataFromJson(const json& j, RunData& d, std::string& error) {
  std::string at;
  try {
    at = "format";
    if (j.at("format") != "traceproof-run-data v1") {
      error = "format: not traceproof-run-data v1";
      return false;
    }
    at = "load";
    const json& l = j.at("load");
    LoadStats& s = d.load;
    s.scheduled = l.at("scheduled");
    s.sent = l.at("sent");
    s.ok = l.at("ok");
    for (const auto& [status, n] : l.at("by_status").items())
      s.by_status[static_cast<unsigned>(std::stoul(status))] = n.get<std::uint64_t>();
    s.errors_connect = l.at("errors_connect");
    s.errors_timeout = l.at("errors_timeout");
    s.errors_reset = l.at("errors_reset");
    s.errors_other = l.at("errors_other");
    s.dropped_iterations = l.at("dropped_iterations");
    s.duration_s = l.at("duration_s");
    s.target_rate_per_s = l.at("target_rate_per_s");
    // Optional: results written before span-load counters existed have none.
    s.spans_sent = l.value("spans_sent", std::uint64_t{0});
    s.spans_acknowledged = l.value("spans_acknowledged", std::uint64_t{0});
    if (l.contains("spans_failed"))
      s.spans_failed = l.at("spans_failed").get<std::map<std::string, std::uint64_t>>();
    at = "load.started_traces";
    for (const json& t : l.at("started_traces")) {
      const auto id = TraceId::FromHex(t.get<std::string>());
      if (!id) throw std::invalid_argument("not a trace id");
      s.started_traces.push_back(*id);
    }
    at = "load_entry_services";
    d.load_entry_services = j.at("load_entry_services").get<std::vector<std::string>>();
    at = "hops";
    for (const json& h : j.at("hops")) {
      HopCounters& hop = d.hops.emplace_back();
      hop.name = h.at("name");
      hop.received = h.at("received");
      hop.passed_on = h.at("passed_on");
      hop.tier = h.value("tier", std::string());
      for (const json& drop : h.at("dropped"))
        hop.dropped.emplace_back(drop.at(0).get<std::string>(), drop.at(1).get<std::uint64_t>());
    }
    at = "tail_sampling";
    d.tail_sampling = j.at("tail_sampling");
    at = "run_seconds";
    d.run_seconds = j.at("run_seconds");
    at = "head_sampler";
    d.head_sampler = j.at("head_sampler");
    if (j.contains("head_sampler_ratio"))
      d.head_sampler_ratio = j["head_sampler_ratio"].get<double>();
    at = "sinks";
    if (j.contains("sinks")) {
      for (const json& s : j.at("sinks")) {
        SinkRouting& sink = d.sinks.emplace_back();
        sink.name = s.at("name");
        sink.endpoint = s.at("endpoint");
        sink.spans_received = s.at("spans_received");
        if (s.contains("killed_at_s")) sink.killed_at_s = s.at("killed_at_s").get<double>();
        sink.collector_failed_exports = s.value("collector_failed_exports", std::uint64_t{0});
        for (const json& t : s.at("trace_ids")) {
          const auto id = TraceId::FromHex(t.get<std::string>());
          if (!id) throw std::invalid_argument("not a trace id");
          sink.trace_ids.insert(*id);
        }
      }
    }
    return true;
  } catch (const std::exception& e) {
    error = at + ": " + e.what();
    return false;
  }
}

}  // namespace traceproof
