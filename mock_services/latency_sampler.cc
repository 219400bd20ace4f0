#include "mock_services/latency_sampler.h"

#include <algorithm>
#include <cmath>

namespace traceproof::mock {
namespace {

// The standard normal quantile at 0.99: ln(p99) = mu + kZ99 * sigma for a lognormal.
constexpr double kZ99 = 2.3263478740408408;

}  // namespace

LatencySampler::LatencySampler(Latency spec, double scale) : spec_(spec), scale_(scale) {}

Nanos LatencySampler::Sample(std::mt19937_64& rng) {
  const double a = static_cast<double>(spec_.a.count());
  const double b = static_cast<double>(spec_.b.count());
  double ns = a;
  switch (spec_.dist) {
    case Latency::Dist::kFixed:
      break;
    case Latency::Dist::kUniform:
      if (b > a) ns = std::uniform_real_distribution<double>(a, b)(rng);
      break;
    case Latency::Dist::kNormal:
      // The standard library requires stddev > 0; a zero stddev is just the mean.
      if (b > 0) ns = std::normal_distribution<double>(a, b)(rng);
      break;
    case Latency::Dist::kLognormal:
      if (a <= 0) {
        ns = 0;
      } else if (b > a) {
        ns = std::lognormal_distribution<double>(std::log(a), std::log(b / a) / kZ99)(rng);
      }
      break;
  }
  ns = std::max(ns, 0.0);
  if (spec_.spike_every > 0) {
    const std::uint64_t n = count_.fetch_add(1, std::memory_order_relaxed) + 1;
    if (n % spec_.spike_every == 0) ns += static_cast<double>(spec_.spike_add.count());
  }
  return Nanos(std::llround(ns * scale_));
}

StepLatencies::StepLatencies(const ServiceGraph& graph) {
  for (const ServiceDef& service : graph.services) {
    for (const Route& route : service.routes) Add(route.steps, graph.scale);
    for (const Consumer& consumer : service.consumers) Add(consumer.steps, graph.scale);
  }
}

void StepLatencies::Add(const std::vector<Step>& steps, double scale) {
  for (const Step& step : steps) {
    samplers_.emplace(&step, std::make_unique<LatencySampler>(step.latency, scale));
    Add(step.steps, scale);
  }
}

Nanos StepLatencies::Sample(const Step& step, std::mt19937_64& rng) const {
  return samplers_.at(&step)->Sample(rng);
}

}  // namespace traceproof::mock
