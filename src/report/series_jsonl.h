// series.jsonl of a run: its per-second series (run/series_sample.h), one JSON object a line,
// in time order, with the field names of docs/results.md. Read back by the HTML report and the
// shard merge, so a field is added, never renamed. Plain functions: thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "run/series_sample.h"

namespace traceproof {

nlohmann::ordered_json SeriesSampleJson(const SeriesSample& sample);
// Every row, each followed by a newline ("" for none).
std::string SeriesJsonl(const std::vector<SeriesSample>& series);

}  // namespace traceproof
