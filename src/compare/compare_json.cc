#include "compare/compare_json.h"

namespace traceproof {
namespace {

using nlohmann::json;

const char* EdgeKindName(EdgeChange::Kind k) {
  switch (k) {
    case EdgeChange::Kind::kNew:
      return "new";
    case EdgeChange::Kind::kMissing:
      return "missing";
    case EdgeChange::Kind::kCount:
      return "count";
  }
  return "count";
}

json Verdict(const std::optional<bool>& passed) {
  if (!passed) return nullptr;
  return *passed ? "pass" : "fail";
}

json DeltaJson(const Delta& d) {
  return {{"base", d.base}, {"current", d.current}, {"change", d.current - d.base}};
}

json RouteJson(const RouteComparison& r) {
  json shape = json::array();
  for (const EdgeChange& e : r.shape)
    shape.push_back({{"edge", e.edge},
                     {"change", EdgeKindName(e.kind)},
                     {"base_per_trace", e.base_per_trace},
                     {"current_per_trace", e.current_per_trace}});
  json ops = json::array();
  for (const OperationChange& o : r.operations)
    ops.push_back({{"operation", o.operation},
                   {"base_spans", o.shift.base_spans},
                   {"current_spans", o.shift.current_spans},
                   {"base_p50_ns", o.base_p50_ns},
                   {"current_p50_ns", o.current_p50_ns},
                   {"base_percentile_ns", o.shift.base_ns},
                   {"current_percentile_ns", o.shift.current_ns},
                   {"change_ns", o.shift.delta_ns},
                   {"typical_second_change_ns", o.shift.typical_delta_ns},
                   {"blocks", o.shift.blocks},
                   {"interval_low_ns", o.shift.low_ns},
                   {"interval_high_ns", o.shift.high_ns},
                   {"significant", o.shift.significant},
                   {"regression", o.regression},
                   {"improvement", o.improvement}});
  return {{"route", r.route},
          {"base_traces", r.base_traces},
          {"current_traces", r.current_traces},
          {"shape_changes", shape},
          {"operations", ops},
          {"operations_only_in_base", r.only_in_base},
          {"operations_only_in_current", r.only_in_current}};
}

}  // namespace

json ComparisonJson(const RunComparison& c) {
  json routes = json::array();
  for (const RouteComparison& r : c.routes) routes.push_back(RouteJson(r));
  json checks = json::array();
  for (const CheckChange& k : c.checks)
    checks.push_back({{"kind", k.kind},
                      {"label", k.label},
                      {"base", Verdict(k.base_passed)},
                      {"current", Verdict(k.current_passed)},
                      {"regressed", k.Regressed()}});
  const std::vector<std::string> regressions = c.Regressions();
  json j = {{"base", {{"results", c.base_dir}, {"scenario", c.base_scenario}}},
            {"current", {{"results", c.current_dir}, {"scenario", c.current_scenario}}},
            {"options",
             {{"percentile", c.options.shift.percentile},
              {"max_latency_regression", c.options.max_regression},
              {"min_latency_change_ns", c.options.min_change.count()},
              {"confidence", c.options.shift.confidence},
              {"resamples", c.options.shift.resamples},
              {"seed", c.options.shift.seed},
              {"test",
               "block bootstrap of the typical second's percentile change (median of per-block "
               "percentiles; blocks >= 1 s)"}}},
            {"verdict", regressions.empty() ? "pass" : "fail"},
            {"regressions", regressions},
            {"routes", routes},
            {"routes_only_in_base", c.routes_only_in_base},
            {"routes_only_in_current", c.routes_only_in_current},
            {"checks", checks},
            {"load",
             {{"requests_sent", DeltaJson(c.requests_sent)},
              {"achieved_rate_per_s", DeltaJson(c.achieved_rate_per_s)},
              {"request_errors", DeltaJson(c.request_errors)},
              {"dropped_iterations", DeltaJson(c.dropped_iterations)}}},
            {"spans",
             {{"lost", DeltaJson(c.spans_lost)},
              {"delivered", DeltaJson(c.spans_delivered)},
              {"loss_fraction", DeltaJson(c.loss_fraction)}}},
            {"sampling", {{"traces_per_request", DeltaJson(c.traces_per_request)}}}};
  if (c.head_sampler_ratio) j["sampling"]["head_sampler_ratio"] = DeltaJson(*c.head_sampler_ratio);
  return j;
}

}  // namespace traceproof
