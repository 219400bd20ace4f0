// The `sink:` section of a scenario, `sink: { count: 3 }`: the sink tier, N embedded sinks behind
// the Collector traceproof starts (its config routes to TRACEPROOF_SINK_ENDPOINT_0 .. _N-1);
// `require_headers`, the headers every sink of the run requires (and the run's senders send);
// the `sink: kill` faults, which name a sink of the tier; and the `sinks` check, which a tier of
// two or more sinks always has (added with its defaults when the scenario lists none) and which
// needs such a tier. Throws LoadError at the offending key or value; not thread-safe (one load).
#pragma once

#include <vector>

#include "scenario/scenario.h"
#include "scenario/scenario_reader.h"

namespace traceproof::loader {

inline constexpr int kMaxSinks = 16;

// After the Collector section: a tier needs a Collector that traceproof starts.
void ParseSink(ScenarioReader& r, const Field& field, Scenario& scenario);

// Gives the faults to the tier; each must name one of its sinks.
void AttachSinkFaults(ScenarioReader& r, std::vector<SinkFault> faults, Scenario& scenario);

// After the checks section, before expect: a `sinks` check needs a tier of two or more sinks,
// and such a tier gets one when the scenario has none.
void CheckSinkTierChecks(ScenarioReader& r, Scenario& scenario);
// Span load straight into a TLS sink: not built (the load generator speaks plain HTTP), an
// error at the tls section unless a Collector is in between.
void CheckSinkTlsSenders(ScenarioReader& r, const Scenario& scenario);

}  // namespace traceproof::loader
