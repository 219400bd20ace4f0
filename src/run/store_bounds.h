// How big the embedded sink's store may grow in a `traceproof run`, derived from the scenario's
// peak rate instead of a fixed cap: the store holds only open traces (each completed trace
// goes to the streaming checks and is let go, run/trace_stream.h), so what it needs is the
// spans that arrive within a few quiet periods, with room to spare; and it remembers the ids of
// the traces it let go for half a minute of the peak rate, so a span arriving late makes an update
// of its trace rather than a new one. The run logs these figures. Pure functions.
#pragma once

#include <chrono>
#include <string>

#include "scenario/scenario.h"
#include "store/trace_store.h"

namespace traceproof {

// The highest rate of any phase, in spans/s: a span-load phase's spans per request, and
// kSpansPerServiceRequest for a request through services (a generous upper estimate: the
// checkout preset emits 13).
inline constexpr double kSpansPerServiceRequest = 32;
double PeakSpansPerSecond(const Scenario& scenario);
// The same in traces/s: a span-load phase's requests carry spans_per_request/spans_per_trace
// traces; a request through services a few (kTracesPerServiceRequest).
double PeakTracesPerSecond(const Scenario& scenario);

// The run's store options: quiet period, span and trace limits, evicted ids remembered.
TraceStoreOptions RunStoreOptions(const Scenario& scenario);

// "store: a trace completes after 2.0 s without a span; at most 1,200,000 spans and ...".
std::string StoreBoundsText(const TraceStoreOptions& options, double peak_spans_per_s);

}  // namespace traceproof
