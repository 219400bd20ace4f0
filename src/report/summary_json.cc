#include "report/summary_json.h"

#include <fmt/format.h>

#include <thread>

namespace traceproof {
namespace {

nlohmann::json Percentiles(const Histogram& h) {
  nlohmann::json j = nlohmann::json::object();
  j["count"] = h.TotalCount();
  for (const auto& [name, p] : {std::pair{"p50", 50.0}, std::pair{"p90", 90.0},
                                std::pair{"p99", 99.0}, std::pair{"p999", 99.9}})
    j[std::string(name) + "_ms"] = h.ValueAtPercentile(p) / 1e6;
  j["max_ms"] = h.Max() / 1e6;
  j["mean_ms"] = h.Mean() / 1e6;
  return j;
}

const char* StatusName(RunOutcome::Status s) {
  switch (s) {
    case RunOutcome::Status::kCompleted:
      return "completed";
    case RunOutcome::Status::kInterrupted:
      return "interrupted";
    case RunOutcome::Status::kEnvironmentError:
      return "environment_error";
  }
  return "unknown";
}

}  // namespace

nlohmann::json LoadStatsJson(const LoadStats& load) {
  nlohmann::json j;
  j["scheduled"] = load.scheduled;
  j["sent"] = load.sent;
  j["ok"] = load.ok;
  nlohmann::json by_status = nlohmann::json::object();
  for (const auto& [status, n] : load.by_status) by_status[std::to_string(status)] = n;
  j["by_status"] = by_status;
  j["errors"] = {{"connect", load.errors_connect},
                 {"timeout", load.errors_timeout},
                 {"reset", load.errors_reset},
                 {"other", load.errors_other}};
  j["dropped_iterations"] = load.dropped_iterations;
  j["duration_s"] = load.duration_s;
  j["target_rate_per_s"] = load.target_rate_per_s;
  j["achieved_rate_per_s"] = load.AchievedRatePerS();
  j["latency_corrected"] = Percentiles(load.corrected);
  j["latency_uncorrected"] = Percentiles(load.uncorrected);
  return j;
}

nlohmann::json ChecksJson(const std::vector<CheckResult>& results) {
  nlohmann::json checks = nlohmann::json::array();
  for (const CheckResult& r : results) {
    checks.push_back(
        {{"kind", r.kind},
         {"label", r.label},
         {"status", r.passed ? "pass" : "fail"},
         {"reason", r.reason},
         {"evidence", r.evidence},
         {"details", r.details},
         {"position", r.pos.line ? fmt::format("{}:{}:{}", r.pos.file, r.pos.line, r.pos.column)
                                 : std::string()}});
  }
  return checks;
}

namespace {

nlohmann::json SpansJson(const RunOutcome& outcome) {
  nlohmann::json hops = nlohmann::json::array();
  for (const HopCounters& h : outcome.data.hops) {
    nlohmann::json dropped = nlohmann::json::object();
    for (const auto& [reason, n] : h.dropped) dropped[reason] = n;
    nlohmann::json hop = {{"name", h.name},
                          {"received", h.received},
                          {"passed_on", h.passed_on},
                          {"dropped", dropped}};
    if (!h.tier.empty()) hop["tier"] = h.tier;
    hops.push_back(std::move(hop));
  }
  return {{"ground_truth", outcome.ground_truth_spans},
          {"sink_received", outcome.sink_spans_received},
          {"sink_accepted", outcome.sink_spans_accepted},
          {"sink_refused", outcome.sink_spans_refused},
          {"sink_update_records", outcome.sink_update_records},
          {"sink_late_spans", outcome.sink_late_spans},
          {"traces", outcome.traces.records - outcome.traces.update_records},
          {"hops", hops}};
}

nlohmann::json CollectorJson(const CollectorReport& c) {
  const CollectorCounters& m = c.counters;
  return {{"binary", c.binary},
          {"config", c.config},
          {"exit_status", c.exit_status},
          {"kills", c.kills},
          {"restarts", c.restarts},
          {"peak_rss_bytes", c.resources.peak_rss_bytes},
          {"mean_cpu_percent", c.resources.mean_cpu_percent},
          {"peak_cpu_percent", c.resources.peak_cpu_percent},
          {"cpu_seconds", c.resources.cpu_seconds},
          {"running_seconds", c.resources.wall_seconds},
          {"metrics",
           {{"scraped", m.scraped},
            {"receiver_accepted_spans", m.receiver_accepted_spans},
            {"receiver_refused_spans", m.receiver_refused_spans},
            {"exporter_sent_spans", m.exporter_sent_spans},
            {"exporter_send_failed_spans", m.exporter_send_failed_spans},
            {"exporter_enqueue_failed_spans", m.exporter_enqueue_failed_spans},
            {"exporter_queue_size", m.exporter_queue_size},
            {"spans_flushed_at_stop", c.spans_flushed_at_stop},
            {"memory_limiter_refused_spans", m.memory_limiter_refused_spans},
            {"tail_sampling", m.tail_sampling},
            {"tail_traces_sampled", m.tail_traces_sampled},
            {"tail_traces_not_sampled", m.tail_traces_not_sampled},
            {"tail_traces_on_memory", m.tail_traces_on_memory},
            {"tail_new_traces", m.tail_new_traces},
            {"tail_traces_dropped_too_early", m.tail_traces_dropped_too_early}}}};
}

nlohmann::json ForwardJson(const ForwarderStats& f) {
  return {{"endpoint", f.endpoint},
          {"requests_forwarded", f.requests_forwarded},
          {"spans_forwarded", f.spans_forwarded},
          {"requests_failed", f.requests_failed},
          {"spans_failed", f.spans_failed},
          {"requests_dropped", f.requests_dropped},
          {"spans_dropped", f.spans_dropped},
          {"last_error", f.last_error}};
}

}  // namespace

nlohmann::json SummaryJson(const Scenario& scenario, const RunOutcome& outcome,
                           const RunVerdict& verdict, const std::string& started_utc) {
  nlohmann::json j;
  j["scenario"] = {{"name", scenario.name},
                   {"description", scenario.description},
                   {"file", scenario.file},
                   {"services", scenario.services_source}};
  j["started_utc"] = started_utc;
  j["status"] = StatusName(outcome.status);
  if (!outcome.error.empty()) j["error"] = outcome.error;
  j["verdict"] = verdict.checks_passed ? "pass" : "fail";
  j["expected"] = scenario.expect.pass ? "pass" : "fail";
  if (!scenario.expect.failing_kinds.empty()) j["expected_failing"] = scenario.expect.failing_kinds;
  j["as_expected"] = verdict.as_expected;
  if (!verdict.why.empty()) j["why"] = verdict.why;
  j["checks"] = ChecksJson(outcome.results);
  j["load"] = LoadStatsJson(outcome.data.load);
  j["spans"] = SpansJson(outcome);
  if (outcome.collector) j["collector"] = CollectorJson(*outcome.collector);
  if (outcome.forward) j["forward"] = ForwardJson(*outcome.forward);
  j["run_seconds"] = outcome.data.run_seconds;
  j["wall_seconds"] = outcome.wall_seconds;
  j["machine"] = {{"cores", std::thread::hardware_concurrency()}};
  j["versions"] = {{"traceproof", TRACEPROOF_VERSION},
                   {"opentelemetry_proto", TRACEPROOF_OTLP_PROTO_VERSION}};
  return j;
}

}  // namespace traceproof
