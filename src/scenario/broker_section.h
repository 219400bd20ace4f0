// The `broker:` section of a scenario: `broker: rabbitmq` (traceproof starts a broker for the run)
// or `broker: { amqp: URL }` (one already running) carries the services' queues, so some service
// must publish or consume; and the `broker: restart` faults, which need the broker traceproof
// starts. Throws LoadError at the offending key or value; not thread-safe (one load).
#pragma once

#include <vector>

#include "scenario/scenario.h"
#include "scenario/scenario_reader.h"

namespace traceproof::loader {

void ParseBroker(ScenarioReader& r, const Field& field, Scenario& scenario);

// Gives the faults to the scenario's broker; it must be one traceproof starts.
void AttachBrokerFaults(ScenarioReader& r, std::vector<BrokerFault> faults, Scenario& scenario);

}  // namespace traceproof::loader
