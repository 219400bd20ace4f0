// The counters of each hop spans pass through in a run (services' exporters → [Collector] →
// sink), as the throughput check reconciles them: what entered a hop = what it passed on + what
// it dropped, by reason. Built once, after the drain, from counters each hop keeps itself; a
// hop whose own counters cannot be trusted (a killed Collector's die with it) is completed from
// its neighbours. Plain functions over plain data: thread-safe.
#pragma once

#include <cstdint>

#include "checks/run_data.h"
#include "mock_services/mock_services.h"
#include "receiver/ingest.h"
#include "run/run_outcome.h"
#include "store/trace_store.h"

namespace traceproof {

HopCounters ServicesHop(const mock::MockServicesStats& stats);

// A span-load run's first hop (kSenderHopName): the spans the generator tried to send, those
// acknowledged, and those in requests that failed, by kind.
HopCounters SenderHop(const LoadStats& load);

// What the Collector received (accepted + refused by its receivers), passed on (sent by its
// exporters, plus what its shutdown flushed) and dropped, by reason. `upstream` (may be null)
// is the services' hop; `sink_received` what reached the sink.
HopCounters CollectorHop(const CollectorReport& report, const HopCounters* upstream,
                         std::uint64_t sink_received);

HopCounters SinkHop(const IngestCounters& ingest, const TraceStoreCounters& store);

}  // namespace traceproof
