#include "run/forget_windows.h"

#include <algorithm>
#include <vector>

namespace traceproof {

namespace {

bool Publishes(const std::vector<Step>& steps) {
  return std::any_of(steps.begin(), steps.end(), [](const Step& step) {
    return step.kind == Step::Kind::kPublish || Publishes(step.steps);
  });
}

}  // namespace

bool PublishesMessages(const ServiceGraph& graph) {
  for (const ServiceDef& service : graph.services) {
    for (const Route& route : service.routes)
      if (Publishes(route.steps)) return true;
    for (const Consumer& consumer : service.consumers)
      if (Publishes(consumer.steps)) return true;
  }
  return false;
}

ForgetWindows ChecksForgetWindows(const Scenario& scenario, const checks::TruthJoinOptions& join,
                                  bool witnesses) {
  ForgetWindows w;
  w.traces = std::max<std::chrono::nanoseconds>(2 * (join.settle + join.missing_after),
                                                std::chrono::seconds(30));
  if (!witnesses && !PublishesMessages(scenario.services) && !scenario.external_services)
    w.sink_traces = w.traces;
  return w;
}

}  // namespace traceproof
