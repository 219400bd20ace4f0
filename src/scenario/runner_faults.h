// Faults the runner injects into the processes a run starts, not into the services:
// `{ collector: kill, at: 10s, restart: true }`, `{ broker: restart, at: 3s }` and
// `{ sink: kill, index: 1, at: 4s }` in a scenario's `faults:` list. The loader takes them out
// of the list before the services loader reads the rest, and hands them to the Collector,
// broker and sink sections, which check that traceproof starts what they name. Throws
// LoadError at the offending entry; not thread-safe (one load).
#pragma once

#include <optional>
#include <vector>

#include "scenario/scenario.h"
#include "scenario/scenario_reader.h"

namespace traceproof::loader {

struct RunnerFaults {
  std::vector<CollectorFault> collector;  // in the order written
  std::vector<BrokerFault> broker;
  std::vector<SinkFault> sink;
};

// Takes the `collector:`, `broker:` and `sink:` entries out of a faults list into `runner`;
// returns the other entries, or nullopt when there are none.
std::optional<Field> SplitRunnerFaults(ScenarioReader& r, const Field& faults,
                                       RunnerFaults& runner);

}  // namespace traceproof::loader
