#include "checks/request_edges.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace traceproof::checks {

namespace {

bool HasFault(const GroundTruthSpan& s, std::string_view fault) {
  return std::find(s.faults.begin(), s.faults.end(), fault) != s.faults.end();
}

// The spans' edges, the requests' trace ids and roots as emitted, and the detached spans.
void JudgeEdges(const RunData& data, const TruthIndex& index,
                const std::set<TraceId>& linked_traces, bool expect_links,
                const std::set<std::uint64_t>& not_requests, RequestEdges& out) {
  for (const GroundTruthSpan& s : data.truth) {
    const bool linked_segment = linked_traces.contains(s.trace_id);
    if (s.exported && !linked_segment && !not_requests.contains(s.request_id)) {
      RequestInfo& req = out.requests[s.request_id];
      req.trace_ids.insert(s.trace_id);
      if (!s.parent_span_id.IsValid()) ++req.emitted_roots;
    }
    if (!s.expected_parent_span_id.IsValid()) continue;
    ++out.with_expected_parent;
    const bool queue_consumer = !s.queue.empty() && s.kind == SpanKind::kConsumer;
    // A consumer linked as expected is connected; it is a root by design, not detached.
    if (queue_consumer && expect_links && s.linked_span_id == s.expected_parent_span_id &&
        s.linked_span_id.IsValid() && !HasFault(s, "detached_span")) {
      continue;
    }
    const GroundTruthSpan* parent = index.Find(s.expected_parent_span_id);
    const std::string edge =
        (parent ? parent->service : std::string("(unknown)")) + " \u2192 " + s.service;
    EdgeStats& e = out.edges[edge];
    e.requests.insert(s.request_id);
    const bool broken =
        s.parent_span_id != s.expected_parent_span_id || (parent && parent->trace_id != s.trace_id);
    if (broken) {
      e.broken.insert(s.request_id);
      AddEvidence(e.evidence, s.trace_id);
      if (parent) AddEvidence(e.evidence, parent->trace_id);
    }
    if (HasFault(s, "detached_span") ||
        (!s.parent_span_id.IsValid() && s.kind != SpanKind::kServer)) {
      ++out.detached;
      AddEvidence(out.detached_evidence, s.trace_id);
    }
  }
}

// The sink's view too: several roots for one request means it shows up as several traces.
void CountBrokenRequests(const SinkIndex& sink, const std::set<TraceId>& linked_traces,
                         RequestEdges& out) {
  for (const auto& [id, req] : out.requests) {
    std::size_t roots_in_sink = 0;
    for (const TraceId& t : req.trace_ids) {
      if (linked_traces.contains(t)) continue;
      if (const SinkTraceFacts* facts = sink.Find(t)) roots_in_sink += facts->roots;
    }
    if (req.trace_ids.size() > 1 || req.emitted_roots > 1 || roots_in_sink > 1) {
      ++out.broken_requests;
      out.broken_ids.insert(id);
      for (const TraceId& t : req.trace_ids) AddEvidence(out.broken_evidence, t);
    }
  }
}

}  // namespace

RequestEdges JudgeRequestEdges(const RunData& data, const TruthIndex& index, const SinkIndex& sink,
                               const std::set<TraceId>& linked_traces, bool expect_links,
                               const std::set<std::uint64_t>& not_requests) {
  RequestEdges out;
  JudgeEdges(data, index, linked_traces, expect_links, not_requests, out);
  CountBrokenRequests(sink, linked_traces, out);
  return out;
}

std::vector<std::pair<std::string, const EdgeStats*>> BrokenEdgesWorstFirst(
    const RequestEdges& found) {
  std::vector<std::pair<std::string, const EdgeStats*>> broken;
  for (const auto& [name, e] : found.edges)
    if (!e.broken.empty()) broken.emplace_back(name, &e);
  std::stable_sort(broken.begin(), broken.end(), [](const auto& a, const auto& b) {
    return a.second->broken.size() > b.second->broken.size();
  });
  return broken;
}

nlohmann::json EdgesJson(const RequestEdges& found) {
  nlohmann::json json = nlohmann::json::array();
  for (const auto& [name, e] : found.edges) {
    json.push_back({{"edge", name}, {"requests", e.requests.size()}, {"broken", e.broken.size()}});
  }
  return json;
}

std::string BrokenRequestsReason(const RequestEdges& found, bool share, std::uint64_t broken,
                                 std::uint64_t requests) {
  std::vector<std::string> parts;
  for (const auto& [name, e] : BrokenEdgesWorstFirst(found)) {
    parts.push_back(name + ": " + std::to_string(e->broken.size()) + " broken of " +
                    std::to_string(e->requests.size()) + " requests");
  }
  const double total = static_cast<double>(requests);
  std::string summary =
      std::to_string(broken) + " of " + std::to_string(requests) + " requests broken";
  if (share) summary += " (" + FormatShare(broken / std::max(1.0, total)) + ")";
  if (!parts.empty()) summary = Join(parts, "; ") + " (" + summary + ")";
  return summary;
}

}  // namespace traceproof::checks
