// The propagation check's request edges: every span ground truth gave a parent, judged on
// whether it got that parent (same trace, same parent span id), per edge "parent service ->
// child service", so a broken trace is blamed on the precise edge ("gateway -> orders: 37 broken
// of 2000 requests") rather than guessed from orphans in the sink; and every load request,
// judged on whether it arrived as one trace (one trace id, one root, also as the sink assembled
// it). Consumers linked to their producer as the scenario expects start traces of their own by
// design; those are not counted against their request. Fed per request (RequestEdgesTally);
// internal to the checks library; not thread-safe (one check's tally).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "checks/check_util.h"
#include "checks/keyed_evidence.h"
#include "checks/run_data.h"
#include "checks/sink_index.h"
#include "checks/truth_join.h"

namespace traceproof::checks {

struct EdgeStats {
  std::uint64_t requests = 0;  // request ids with a span on this edge
  std::uint64_t broken = 0;    // of those, the ones where the edge broke
  std::vector<std::string> evidence;
};

struct RequestEdges {
  std::map<std::string, EdgeStats> edges;  // by "parent → child" service names
  std::uint64_t requests = 0;              // load requests with an exported span
  std::uint64_t broken_requests = 0;       // arrived as more than one trace
  std::set<std::uint64_t> broken_ids;      // their request ids
  std::vector<std::string> broken_evidence;
  std::uint64_t with_expected_parent = 0;  // spans ground truth gave a parent
  std::uint64_t detached = 0;              // of those, started without one (not as a server)
  std::vector<std::string> detached_evidence;
};

// Request edges as requests come out of the truth joiner. A span's expected parent is looked
// for in its own request (the harness headers that carry both travel together). What the sink
// has to say (several roots for one request) is read when the request comes out and again when
// a late root reaches its trace, so the figures do not depend on when a request was handed out.
// Keeps counts and evidence that can still be listed; nothing per request that arrived whole.
class RequestEdgesTally {
 public:
  // `linked_traces`: the traces correctly linked queue consumers of this request started
  // (QueueTally); `expect_links`: consumers are expected to link to their producer rather
  // than be its children. Spans of request ids a mock made up for an arrival from outside
  // (witness_edges.h) are judged on their edges but are no load request of their own.
  // `sink`: the run's traces as SinkIndex keeps them (how many roots each trace has there); a
  // request that arrived as one trace claims it there, so a late root still breaks it (Broken).
  void Add(const TruthRequest& request, const std::set<TraceId>& linked_traces, bool expect_links,
           SinkIndex& sink);
  // Load request `request_id`'s one trace `trace` has several roots at the sink after all.
  void Broken(std::uint64_t request_id, const TraceId& trace);
  RequestEdges Judge() const;

 private:
  struct Edge {
    std::uint64_t requests = 0, broken = 0;
    KeyedEvidence evidence;  // by recording position
  };
  void JudgeSpans(const TruthRequest& request, bool expect_links);

  std::map<std::string, Edge> edges_;
  std::uint64_t requests_ = 0, with_expected_parent_ = 0, detached_ = 0;
  std::set<std::uint64_t> broken_ids_;  // by ground truth, or several roots at the sink
  KeyedEvidence broken_evidence_;       // by request id
  KeyedEvidence detached_evidence_;     // by recording position
};

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
