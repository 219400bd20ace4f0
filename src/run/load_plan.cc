#include "run/load_plan.h"

#include <algorithm>

namespace traceproof {
namespace {

ArrivalPhase ToArrival(const LoadPhase& phase, int target) {
  ArrivalPhase a;
  switch (phase.arrival) {
    case LoadPhase::Arrival::kConstant:
      a = ArrivalPhase::Constant(phase.rate_per_s, phase.duration);
      break;
    case LoadPhase::Arrival::kPoisson:
      a = ArrivalPhase::Poisson(phase.rate_per_s, phase.duration);
      break;
    case LoadPhase::Arrival::kRamping:
      a = ArrivalPhase::Ramping(phase.from_per_s, phase.to_per_s, phase.duration);
      break;
  }
  a.target = target;
  return a;
}

LoadTarget TargetOf(const LoadPhase& p, const LoadEndpoints& endpoints) {
  LoadTarget t;
  if (p.span_load) {
    t.port = endpoints.sink_http_port;
    t.headers = endpoints.sink_headers;
    t.path = "/v1/traces";
    t.span_load_spans = p.spans_per_request;
    t.spans_per_trace = p.spans_per_trace;
  } else {
    std::tie(t.host, t.port) = endpoints.service(p.service);
    t.method = p.method;
    t.path = p.path;
    t.fresh_traceparent = p.fresh_traceparent;
    if (p.method == "POST" || p.method == "PUT" || p.method == "PATCH") {
      t.body = "{}";
      t.content_type = "application/json";
    }
  }
  t.connections = p.connections;
  t.timeout = p.timeout;
  return t;
}

}  // namespace

OpenLoopOptions PlanLoad(const std::vector<LoadPhase>& phases, const LoadEndpoints& endpoints,
                         int threads, int connections) {
  OpenLoopOptions o;
  o.threads = threads;
  o.connections = connections;
  for (const LoadPhase& p : phases) {
    o.targets.push_back(TargetOf(p, endpoints));
    o.phases.push_back(ToArrival(p, static_cast<int>(o.targets.size()) - 1));
  }
  return o;
}

LoadPhase WarmupPhase(const LoadPhase& first, std::chrono::nanoseconds warmup) {
  LoadPhase w = first;
  w.duration = warmup;
  if (w.arrival == LoadPhase::Arrival::kRamping) {
    w.arrival = LoadPhase::Arrival::kConstant;
    w.rate_per_s = std::max(1.0, w.from_per_s);
  }
  return w;
}

double TotalSeconds(const std::vector<LoadPhase>& phases) {
  double total = 0;
  for (const LoadPhase& p : phases) total += std::chrono::duration<double>(p.duration).count();
  return total;
}

}  // namespace traceproof
