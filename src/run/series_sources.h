// Where a run's per-second series (run/series_recorder.h) reads its figures: the sink's span
// count, traceproof itself, and the processes under test that traceproof started and that run
// at that moment (our RabbitMQ broker, our Collector, the user's apps; one that runs elsewhere
// has no pid here). Asked lazily, so a process started after the recorder was made, or
// restarted by a fault, is found at the next row.
// The returned functions are called from the run's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "run/series_recorder.h"

namespace traceproof {

class RabbitMqBroker;
class RunApps;
class RunCollector;

// The pointers are the runner's members, read at each row (they may still be empty then).
SeriesSources RunSeriesSources(std::function<std::uint64_t()> spans_received,
                               const std::unique_ptr<RabbitMqBroker>& broker,
                               const std::unique_ptr<RunCollector>& collector,
                               const std::unique_ptr<RunApps>& apps);

}  // namespace traceproof
