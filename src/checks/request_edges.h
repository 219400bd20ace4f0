// The propagation check's request edges: every span ground truth gave a parent, judged on
// whether it got that parent (same trace, same parent span id), per edge "parent service ->
// child service", so a broken trace is blamed on the precise edge ("gateway -> orders: 37 broken
// of 2000 requests") rather than guessed from orphans in the sink; and every load request,
// judged on whether it arrived as one trace (one trace id, one root, also as the sink assembled
// it). Consumers linked to their producer as the scenario expects start traces of their own by
// design; those are not counted against their request. Pure functions of RunData; internal to
// the checks library; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "checks/check_util.h"
#include "checks/run_data.h"
#include "checks/sink_index.h"

namespace traceproof::checks {

struct EdgeStats {
  std::set<std::uint64_t> requests;  // request ids with a span on this edge
  std::set<std::uint64_t> broken;    // of those, the ones where the edge broke
  std::vector<std::string> evidence;
};

struct RequestInfo {
  std::set<TraceId> trace_ids;  // of its exported spans
  int emitted_roots = 0;        // exported spans emitted without a parent
};

struct RequestEdges {
  std::map<std::string, EdgeStats> edges;         // by "parent → child" service names
  std::map<std::uint64_t, RequestInfo> requests;  // by request id
  std::uint64_t broken_requests = 0;              // arrived as more than one trace
  std::set<std::uint64_t> broken_ids;             // their request ids
  std::vector<std::string> broken_evidence;
  std::uint64_t with_expected_parent = 0;  // spans ground truth gave a parent
  std::uint64_t detached = 0;              // of those, started without one (not as a server)
  std::vector<std::string> detached_evidence;
};

// `linked_traces`: the traces correctly linked queue consumers started (QueueEdges);
// `expect_links`: consumers are expected to link to their producer rather than be its children;
// `not_requests`: request ids a mock made up for an arrival from outside (WitnessEdges), whose
// spans are judged on their edges but are no load request of their own.
// `sink`: the run's traces as SinkIndex keeps them (how many roots each trace has there).
RequestEdges JudgeRequestEdges(const RunData& data, const TruthIndex& index, const SinkIndex& sink,
                               const std::set<TraceId>& linked_traces, bool expect_links,
                               const std::set<std::uint64_t>& not_requests = {});

// The edges with broken requests, most broken first (ties in name order).
std::vector<std::pair<std::string, const EdgeStats*>> BrokenEdgesWorstFirst(
    const RequestEdges& found);

// summary.json's "edges": one object per edge.
nlohmann::json EdgesJson(const RequestEdges& found);

// "gateway → orders: 1 broken of 4 requests (1 of 4 requests broken)"; with `share`, the share
// of broken requests too. `broken` of `requests` is the summary's count (found's own, or the
// load requests when witnesses judged hops out of the user's services).
std::string BrokenRequestsReason(const RequestEdges& found, bool share, std::uint64_t broken,
                                 std::uint64_t requests);

}  // namespace traceproof::checks
