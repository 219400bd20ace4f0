// Draws latencies from a Latency spec (fixed, uniform, normal, lognormal; with periodic
// spikes), scaled by the graph's scale. Lognormal is parameterized the way people describe
// latency (median and p99) and converted to mu/sigma: mu = ln(p50), sigma = ln(p99/p50)/2.326.
// StepLatencies holds one sampler per step of a graph, made before the services start.
// Thread-safe: the spike counter is atomic; the random engine is the caller's (one per thread).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <random>

#include "graph/service_graph.h"

namespace traceproof::mock {

class LatencySampler {
 public:
  LatencySampler(Latency spec, double scale);
  Nanos Sample(std::mt19937_64& rng);
  LatencySampler(const LatencySampler& o) : spec_(o.spec_), scale_(o.scale_) {}

 private:
  Latency spec_;
  double scale_;
  std::atomic<std::uint64_t> count_{0};
};

// Every step of a graph (routes' and consumers', nested ones too), each with its own sampler so
// its spikes count its own draws. `graph` outlives this.
class StepLatencies {
 public:
  explicit StepLatencies(const ServiceGraph& graph);
  Nanos Sample(const Step& step, std::mt19937_64& rng) const;

 private:
  void Add(const std::vector<Step>& steps, double scale);

  std::map<const Step*, std::unique_ptr<LatencySampler>> samplers_;
};

}  // namespace traceproof::mock
