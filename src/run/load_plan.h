// What the load generator is asked to do for a scenario's phases: one target per phase (its
// route or the sink's /v1/traces for span load, and the phase's own connections and timeout)
// and one arrival phase naming it. Where a service listens is asked of the caller, so the same
// plan serves services in process and services that run elsewhere. The warm-up is the first
// phase at its starting rate. Plain functions: thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "load/open_loop.h"
#include "scenario/scenario.h"

namespace traceproof {

struct LoadEndpoints {
  // Where span load goes (OTLP/HTTP): our Collector's receiver, else the embedded sink's.
  std::uint16_t sink_http_port = 0;
  // What span load must send there: the sink's required headers; none to a Collector.
  std::vector<std::pair<std::string, std::string>> sink_headers;
  // host and port of a service's HTTP server.
  std::function<std::pair<std::string, std::uint16_t>(const std::string& service)> service;
};

OpenLoopOptions PlanLoad(const std::vector<LoadPhase>& phases, const LoadEndpoints& endpoints,
                         int threads, int connections);

// The first phase for `warmup` at the rate it starts with (a ramp's `from`, at least 1/s).
LoadPhase WarmupPhase(const LoadPhase& first, std::chrono::nanoseconds warmup);

double TotalSeconds(const std::vector<LoadPhase>& phases);

}  // namespace traceproof
