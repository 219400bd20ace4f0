#include "run/series_sources.h"

#include <signal.h>

#include "process/rabbitmq_broker.h"
#include "run/run_apps.h"
#include "run/run_collector.h"

namespace traceproof {

SeriesSources RunSeriesSources(std::function<std::uint64_t()> spans_received,
                               const std::unique_ptr<RabbitMqBroker>& broker,
                               const std::unique_ptr<RunCollector>& collector,
                               const std::unique_ptr<RunApps>& apps) {
  SeriesSources s;
  s.spans_received = std::move(spans_received);
  s.processes = [&broker, &collector, &apps] {
    std::vector<RunningProcess> running{SelfProcess()};
    // A script and beam.smp and helpers: the whole group. Its pid is the last incarnation's;
    // while a restart fault has it down, no member answers and it is left out.
    if (broker && broker->pid() > 0 && kill(-broker->pid(), 0) == 0)
      running.push_back({"rabbitmq", broker->pid(), true});
    if (collector && collector->pid() > 0)
      running.push_back({"collector", collector->pid(), false});
    if (apps)
      for (const auto& [name, pid] : apps->RunningPids()) running.push_back({name, pid, true});
    return running;
  };
  return s;
}

}  // namespace traceproof
