// The propagation check's witness edges: what reached each mock from a service we did not write
// (an `external:` service or the user's `app:`), judged from the mocks' inbound records, because
// the harness headers ground truth relies on do not survive the user's code. An arrival is
// broken when it carried no trace context, a malformed one, a valid one of a trace no request of
// this run started (foreign: a context-less thread or ROOT_CONTEXT in the app), or a sampled one
// whose parent span never reached the sink (unsampled contexts, and traces a tail sampler dropped
// whole, are exempt). Arrivals from the load generator or from our own mocks (the harness
// headers) are ground truth's to judge and are left alone here, so no edge is blamed twice.
// Broken arrivals are tied to the load request they belong to where they can be (the request id
// header, the trace id of a mock's span, a trace the load generator started); the rest are
// counted against the load requests one each. Pure functions of RunData; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "checks/check_util.h"
#include "checks/run_data.h"
#include "checks/sink_index.h"

namespace traceproof::checks {

struct WitnessEdge {
  std::string caller;       // the allowed outside caller(s), "checkout" or "checkout|cart"
  std::string callee;       // the mock that witnessed it
  std::string queue;        // for messages; empty for HTTP
  std::string callers_are;  // "checkout is external", "shop is an app, cart is external"
  std::uint64_t calls = 0;  // arrivals judged on this edge
  std::uint64_t no_context = 0;
  std::uint64_t malformed = 0;
  std::uint64_t foreign = 0;
  std::uint64_t parent_not_exported = 0;
  std::string malformed_example;  // one raw traceparent as it arrived
  std::vector<std::string> evidence;

  std::uint64_t broken() const { return no_context + malformed + foreign + parent_not_exported; }
};

struct WitnessEdges {
  std::map<std::string, WitnessEdge> edges;  // by "caller → callee" (+ " via queue")
  std::uint64_t judged = 0;                  // arrivals judged over every edge
  // Request ids a mock made up for an arrival from outside: no load request of their own.
  std::set<std::uint64_t> made_up_requests;
  std::set<std::uint64_t> broken_requests;  // ground-truth requests a broken arrival belongs to
  std::set<TraceId> broken_load_traces;     // load-started traces a broken arrival belongs to
  std::uint64_t unattributed_broken = 0;    // broken arrivals tied to no load request
};

// `sink`: the run's traces as SinkIndex keeps them (which spans and traces arrived).
WitnessEdges JudgeWitnesses(const RunData& data, const SinkIndex& sink);

// A mock made the record's request id up for an arrival from outside (the harness header did
// not survive the user's code): the id is no load request of its own.
bool MadeUpRequestId(const InboundRecord& record);

// The request ids mocks made up for arrivals from outside (the harness header did not survive
// the user's code): no load requests of their own. Checks that count requests fold the spans
// of these into the request their trace belongs to.
std::set<std::uint64_t> MadeUpRequests(const RunData& data);

// "checkout → payments: 100 of 100 calls arrived without trace context (checkout is external;
// 100 load requests)", per edge with broken arrivals, most broken first.
std::vector<std::string> BrokenWitnessReasons(const WitnessEdges& found,
                                              std::uint64_t load_requests);

// summary.json's "witness_edges": one object per edge.
nlohmann::json WitnessEdgesJson(const WitnessEdges& found);

}  // namespace traceproof::checks
