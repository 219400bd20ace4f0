// run_data.json: what the checks read of a run besides its traces and ground truth (the load
// generator's counts, the traces it started, its entry services, the hops' counters, the head
// sampler, whether a tail sampler was in the loop, and with a sink tier which trace ids
// reached which sink), so `traceproof check RESULTS_DIR` can judge
// a recorded run again without running anything. Traces are in traces.jsonl, ground truth and
// inbound records in ground_truth.jsonl. Pure functions, thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "checks/run_data.h"

namespace traceproof {

// Everything but data.traces, data.truth and data.inbound (and the latency histograms, which
// histograms/ holds).
nlohmann::json RunDataJson(const RunData& data);
// The inverse into `data` (its traces, truth and inbound untouched); false with `error` naming
// the field for a document RunDataJson did not write.
bool RunDataFromJson(const nlohmann::json& json, RunData& data, std::string& error);

}  // namespace traceproof
