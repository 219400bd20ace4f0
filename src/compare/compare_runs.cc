#include "compare/compare_runs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "report/tree_text.h"

namespace traceproof {
namespace {

constexpr std::string_view kArrow = " → ";

// How deep each operation sits under the route's root (1 = the root), from the edges, so a
// regression is listed deepest first: the operation that got slower before the callers that
// wait for it.
std::map<std::string, int> Depths(const RouteProfile& route) {
  std::map<std::string, int> depth;
  depth["(root)"] = 0;
  for (std::size_t pass = 0; pass < route.edges.size(); ++pass) {
    bool changed = false;
    for (const auto& [edge, n] : route.edges) {
      const std::size_t at = edge.find(kArrow);
      const std::string parent = edge.substr(0, at);
      const std::string child = edge.substr(at + kArrow.size());
      auto p = depth.find(parent);
      if (p == depth.end() || depth.count(child)) continue;
      depth[child] = p->second + 1;
      changed = true;
    }
    if (!changed) break;
  }
  return depth;
}

std::vector<EdgeChange> ShapeChanges(const RouteProfile& base, const RouteProfile& current) {
  std::vector<EdgeChange> out;
  auto per_trace = [](std::uint64_t n, std::uint64_t traces) {
    return traces ? static_cast<double>(n) / static_cast<double>(traces) : 0.0;
  };
  for (const auto& [edge, n] : base.edges) {
    auto c = current.edges.find(edge);
    EdgeChange e{edge, per_trace(n, base.traces), 0, EdgeChange::Kind::kMissing};
    if (c != current.edges.end()) {
      e.current_per_trace = per_trace(c->second, current.traces);
      e.kind = EdgeChange::Kind::kCount;
      // Counts per trace that agree to 1 % are the same shape (a few traces cut by the run's
      // end or a sampled-out branch are not a change of shape).
      if (std::abs(e.current_per_trace - e.base_per_trace) <= 0.01 * e.base_per_trace) continue;
    }
    out.push_back(e);
  }
  for (const auto& [edge, n] : current.edges)
    if (!base.edges.count(edge))
      out.push_back({edge, 0, per_trace(n, current.traces), EdgeChange::Kind::kNew});
  return out;
}

RouteComparison CompareRoute(const RouteProfile& base, const RouteProfile& current,
                             const CompareOptions& options) {
  RouteComparison r;
  r.route = base.route;
  r.base_traces = base.traces;
  r.current_traces = current.traces;
  r.shape = ShapeChanges(base, current);
  const std::map<std::string, int> depth = Depths(base);
  for (const auto& [op, sample] : base.operations) {
    auto c = current.operations.find(op);
    if (c == current.operations.end()) {
      r.only_in_base.push_back(op);
      continue;
    }
    OperationChange change;
    change.operation = op;
    std::vector<std::int64_t> values = sample.duration_ns;
    change.base_p50_ns = PercentileNs(values, 50);
    values = c->second.duration_ns;
    change.current_p50_ns = PercentileNs(values, 50);
    change.shift = CompareLatency(sample, c->second, r.route + "|" + op, options.shift);
    change.regression = IsRegression(change.shift, options);
    change.improvement = IsImprovement(change.shift, options);
    r.operations.push_back(std::move(change));
  }
  for (const auto& [op, sample] : current.operations)
    if (!base.operations.count(op)) r.only_in_current.push_back(op);
  auto depth_of = [&](const std::string& op) {
    auto d = depth.find(op);
    return d == depth.end() ? 0 : d->second;
  };
  std::stable_sort(r.operations.begin(), r.operations.end(),
                   [&](const OperationChange& a, const OperationChange& b) {
                     return depth_of(a.operation) > depth_of(b.operation);
                   });
  return r;
}

// Checks are matched by kind and label; a repeated (kind, label) by its occurrence.
std::vector<CheckChange> CheckChanges(const RunProfile& base, const RunProfile& current) {
  std::vector<CheckChange> out;
  std::map<std::pair<std::string, std::string>, int> seen;
  auto key = [&](const CheckVerdict& c) {
    return std::tuple(c.kind, c.label, seen[{c.kind, c.label}]++);
  };
  std::map<std::tuple<std::string, std::string, int>, std::size_t> index;
  for (const CheckVerdict& c : base.checks) {
    index[key(c)] = out.size();
    out.push_back({c.kind, c.label, c.passed, std::nullopt, ""});
  }
  seen.clear();
  for (const CheckVerdict& c : current.checks) {
    auto it = index.find(key(c));
    if (it == index.end()) {
      out.push_back({c.kind, c.label, std::nullopt, c.passed, c.reason});
    } else {
      out[it->second].current_passed = c.passed;
      out[it->second].current_reason = c.reason;
    }
  }
  return out;
}

double LossFraction(const RunProfile& r) {
  const double sent = static_cast<double>(r.spans_delivered + r.spans_lost);
  return sent > 0 ? static_cast<double>(r.spans_lost) / sent : 0;
}

double TracesPerRequest(const RunProfile& r) {
  return r.requests_sent ? static_cast<double>(r.traces - r.traces_without_route) /
                               static_cast<double>(r.requests_sent)
                         : 0;
}

std::string RouteList(const RunProfile& r) {
  std::vector<std::string> names;
  for (const auto& [name, route] : r.routes) names.push_back(name);
  return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

std::int64_t FloorNs(const LatencyShift& shift, const CompareOptions& options) {
  return std::max<std::int64_t>(options.min_change.count(),
                                static_cast<std::int64_t>(std::ceil(
                                    options.max_regression * static_cast<double>(shift.base_ns))));
}

}  // namespace

bool IsRegression(const LatencyShift& shift, const CompareOptions& options) {
  const std::int64_t floor_ns = FloorNs(shift, options);
  return shift.significant && shift.delta_ns > floor_ns && shift.low_ns > floor_ns;
}

bool IsImprovement(const LatencyShift& shift, const CompareOptions& options) {
  const std::int64_t floor_ns = FloorNs(shift, options);
  return shift.significant && shift.delta_ns < -floor_ns && shift.high_ns < -floor_ns;
}

std::optional<RunComparison> CompareRuns(const RunProfile& base, const RunProfile& current,
                                         const CompareOptions& options, std::string& error) {
  RunComparison c;
  c.options = options;
  c.base_dir = base.dir;
  c.current_dir = current.dir;
  c.base_scenario = base.scenario;
  c.current_scenario = current.scenario;
  for (const auto& [name, route] : base.routes) {
    auto cur = current.routes.find(name);
    if (cur == current.routes.end())
      c.routes_only_in_base.push_back(name);
    else
      c.routes.push_back(CompareRoute(route, cur->second, options));
  }
  for (const auto& [name, route] : current.routes)
    if (!base.routes.count(name)) c.routes_only_in_current.push_back(name);
  if (c.routes.empty()) {
    error = fmt::format(
        "no route in common: {} ({}) has {}; {} ({}) has {}. Compare runs of one scenario, or "
        "of variants of it",
        base.dir, base.scenario, RouteList(base), current.dir, current.scenario,
        RouteList(current));
    return std::nullopt;
  }
  c.checks = CheckChanges(base, current);
  auto d = [](auto b, auto n) { return Delta{static_cast<double>(b), static_cast<double>(n)}; };
  c.requests_sent = d(base.requests_sent, current.requests_sent);
  c.achieved_rate_per_s = d(base.achieved_rate_per_s, current.achieved_rate_per_s);
  c.request_errors = d(base.request_errors, current.request_errors);
  c.dropped_iterations = d(base.dropped_iterations, current.dropped_iterations);
  c.spans_lost = d(base.spans_lost, current.spans_lost);
  c.spans_delivered = d(base.spans_delivered, current.spans_delivered);
  c.loss_fraction = d(LossFraction(base), LossFraction(current));
  c.traces_per_request = d(TracesPerRequest(base), TracesPerRequest(current));
  if (base.head_sampler_ratio || current.head_sampler_ratio)
    c.head_sampler_ratio =
        d(base.head_sampler_ratio.value_or(1), current.head_sampler_ratio.value_or(1));
  return c;
}

std::vector<std::string> RunComparison::Regressions() const {
  std::vector<std::string> out;
  const std::string p = fmt::format("p{:g}", options.shift.percentile);
  for (const RouteComparison& r : routes)
    for (const OperationChange& o : r.operations)
      if (o.regression)
        out.push_back(fmt::format(
            "{}: {} {} {} → {} ({:+.1f} ms, {:+.0f}%; the typical second's {} {:+.1f} ms, {:g}% "
            "interval {:+.1f} to {:+.1f} ms)",
            r.route, o.operation, p, FormatDuration(o.shift.base_ns),
            FormatDuration(o.shift.current_ns), o.shift.delta_ns / 1e6,
            o.shift.base_ns ? 100.0 * o.shift.delta_ns / o.shift.base_ns : 0.0, p,
            o.shift.typical_delta_ns / 1e6, 100 * options.shift.confidence, o.shift.low_ns / 1e6,
            o.shift.high_ns / 1e6));
  for (const CheckChange& c : checks)
    if (c.Regressed())
      out.push_back(
          fmt::format("check {} {} passed, now fails: {}", c.kind, c.label, c.current_reason));
  return out;
}

}  // namespace traceproof
