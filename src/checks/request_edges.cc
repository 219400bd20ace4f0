#include "checks/request_edges.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace traceproof::checks {

namespace {

bool HasFault(const GroundTruthSpan& s, std::string_view fault) {
  return std::find(s.faults.begin(), s.faults.end(), fault) != s.faults.end();
}

}  // namespace

// The spans' edges and the detached spans.
void RequestEdgesTally::JudgeSpans(const TruthRequest& request, bool expect_links) {
  const TruthIndex index(request.spans);
  // Request ids on each edge, each counted once however many of its spans are on it.
  std::set<std::pair<std::string, std::uint64_t>> on_edge, broken_on_edge;
  for (std::size_t i = 0; i < request.spans.size(); ++i) {
    const GroundTruthSpan& s = request.spans[i];
    const std::uint64_t position = request.positions[i];
    if (!s.expected_parent_span_id.IsValid()) continue;
    ++with_expected_parent_;
    const bool queue_consumer = !s.queue.empty() && s.kind == SpanKind::kConsumer;
    // A consumer linked as expected is connected; it is a root by design, not detached.
    if (queue_consumer && expect_links && s.linked_span_id == s.expected_parent_span_id &&
        s.linked_span_id.IsValid() && !HasFault(s, "detached_span")) {
      continue;
    }
    const GroundTruthSpan* parent = index.Find(s.expected_parent_span_id);
    const std::string name =
        (parent ? parent->service : std::string("(unknown)")) + " \u2192 " + s.service;
    Edge& e = edges_[name];
    if (on_edge.emplace(name, s.request_id).second) ++e.requests;
    const bool broken =
        s.parent_span_id != s.expected_parent_span_id || (parent && parent->trace_id != s.trace_id);
    if (broken) {
      if (broken_on_edge.emplace(name, s.request_id).second) ++e.broken;
      std::vector<TraceId> ids{s.trace_id};
      if (parent) ids.push_back(parent->trace_id);
      e.evidence.Add(position, std::move(ids));
    }
    if (HasFault(s, "detached_span") ||
        (!s.parent_span_id.IsValid() && s.kind != SpanKind::kServer)) {
      ++detached_;
      detached_evidence_.Add(position, {s.trace_id});
    }
  }
}

void RequestEdgesTally::Add(const TruthRequest& request, const std::set<TraceId>& linked_traces,
                            bool expect_links, SinkIndex& sink) {
  const std::set<std::uint64_t>& made_up = request.made_up;
  JudgeSpans(request, expect_links);
  // The requests' trace ids and roots as emitted (a folded request holds one load request).
  std::map<std::uint64_t, std::pair<std::set<TraceId>, int>> requests;
  for (const GroundTruthSpan& s : request.spans) {
    if (!s.exported || linked_traces.contains(s.trace_id) || made_up.contains(s.request_id))
      continue;
    auto& [trace_ids, emitted_roots] = requests[s.request_id];
    trace_ids.insert(s.trace_id);
    if (!s.parent_span_id.IsValid()) ++emitted_roots;
  }
  for (const auto& [id, req] : requests) {
    const auto& [trace_ids, emitted_roots] = req;
    ++requests_;
    if (trace_ids.size() > 1 || emitted_roots > 1) {
      broken_ids_.insert(id);
      broken_evidence_.Add(id, {trace_ids.begin(), trace_ids.end()});
      continue;
    }
    // One trace, at most one root as emitted: broken only if the sink shows several roots.
    const TraceId& trace = *trace_ids.begin();
    const SinkTraceFacts* facts = sink.Claim(trace, id);
    if (facts && facts->roots > 1) Broken(id, trace);
  }
}

void RequestEdgesTally::Broken(std::uint64_t request_id, const TraceId& trace) {
  if (broken_ids_.insert(request_id).second) broken_evidence_.Add(request_id, {trace});
}

RequestEdges RequestEdgesTally::Judge() const {
  RequestEdges out;
  for (const auto& [name, e] : edges_)
    out.edges[name] = EdgeStats{e.requests, e.broken, e.evidence.Ids()};
  out.requests = requests_;
  out.with_expected_parent = with_expected_parent_;
  out.detached = detached_;
  out.detached_evidence = detached_evidence_.Ids();
  out.broken_ids = broken_ids_;
  out.broken_requests = broken_ids_.size();
  out.broken_evidence = broken_evidence_.Ids();
  return out;
}

std::vector<std::pair<std::string, const EdgeStats*>> BrokenEdgesWorstFirst(
    const RequestEdges& found) {
  std::vector<std::pair<std::string, const EdgeStats*>> broken;
  for (const auto& [name, e] : found.edges)
    if (e.broken > 0) broken.emplace_back(name, &e);
  std::stable_sort(broken.begin(), broken.end(), [](const auto& a, const auto& b) {
    return a.second->broken > b.second->broken;
  });
  return broken;
}

nlohmann::json EdgesJson(const RequestEdges& found) {
  nlohmann::json json = nlohmann::json::array();
  for (const auto& [name, e] : found.edges) {
    json.push_back({{"edge", name}, {"requests", e.requests}, {"broken", e.broken}});
  }
  return json;
}

std::string BrokenRequestsReason(const RequestEdges& found, bool share, std::uint64_t broken,
                                 std::uint64_t requests) {
  std::vector<std::string> parts;
  for (const auto& [name, e] : BrokenEdgesWorstFirst(found)) {
    parts.push_back(name + ": " + std::to_string(e->broken) + " broken of " +
                    std::to_string(e->requests) + " requests");
  }
  const double total = static_cast<double>(requests);
  std::string summary =
      std::to_string(broken) + " of " + std::to_string(requests) + " requests broken";
  if (share) summary += " (" + FormatShare(broken / std::max(1.0, total)) + ")";
  if (!parts.empty()) summary = Join(parts, "; ") + " (" + summary + ")";
  return summary;
}

}  // namespace traceproof::checks
