#include "checks/witness_edges.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace traceproof::checks {
namespace {

using TraceSet = std::unordered_set<TraceId, IdHash>;

// From outside, and neither from the load generator nor passed on with a mock's harness
// headers (those hops are ground truth's).
bool Judged(const InboundRecord& r) {
  return !r.from_load && !r.from_mock && r.callers && !r.callers->outside.empty();
}

// What the run knows beyond the records: which traces its requests started, which spans the
// sink holds, and which load request each trace of a mock's spans belongs to.
struct Known {
  explicit Known(const SinkIndex& sink) : sink(sink) {}
  TraceSet started;       // by the load generator or a mock (as a root)
  TraceSet load_started;  // by the load generator itself (traceparent: fresh)
  const SinkIndex& sink;
  std::unordered_map<TraceId, std::uint64_t, IdHash> request_of_trace;

  // Started by this run: by the load generator, a mock, or an entry service the load generator
  // calls without a traceparent (a SERVER root of that service at the sink).
  bool Started(const TraceId& id) const {
    if (started.contains(id)) return true;
    const SinkTraceFacts* facts = sink.Find(id);
    return facts && facts->entry_root;
  }
};

Known Index(const RunData& data, const SinkIndex& sink, const std::set<std::uint64_t>& made_up) {
  Known k(sink);
  for (const TraceId& t : data.load.started_traces) {
    k.started.insert(t);
    k.load_started.insert(t);
  }
  for (const GroundTruthSpan& s : data.truth) {
    if (!s.parent_span_id.IsValid()) k.started.insert(s.trace_id);
    if (!made_up.contains(s.request_id)) k.request_of_trace.emplace(s.trace_id, s.request_id);
  }
  return k;
}

std::string CallersAre(const AllowedCallers& callers) {
  std::vector<std::string> parts;
  for (const std::string& name : callers.outside) {
    const bool app =
        std::find(callers.apps.begin(), callers.apps.end(), name) != callers.apps.end();
    parts.push_back(name + (app ? " is an app" : " is external"));
  }
  return Join(parts, ", ");
}

WitnessEdge& EdgeOf(WitnessEdges& out, const InboundRecord& r) {
  const std::string caller = Join(r.callers->outside, "|");
  const bool message = r.kind == InboundRecord::Kind::kMessage;
  std::string key = caller + " \u2192 " + r.service;
  if (message) key += " via " + r.target;
  WitnessEdge& e = out.edges[key];
  if (e.calls == 0) {
    e.caller = caller;
    e.callee = r.service;
    if (message) e.queue = r.target;
    e.callers_are = CallersAre(*r.callers);
  }
  return e;
}

// Counts the arrival on its edge by what was wrong with it; false when nothing was.
bool JudgeArrival(const InboundRecord& r, const Known& k, bool tail_sampling, WitnessEdge& e) {
  const InboundContext& c = r.context;
  switch (c.state) {
    case InboundContext::State::kNone:
      ++e.no_context;
      return true;
    case InboundContext::State::kMalformed:
      ++e.malformed;
      if (e.malformed_example.empty()) e.malformed_example = c.raw;
      return true;
    case InboundContext::State::kValid:
      break;
  }
  // An unsampled context never reaches the sink by design, nor does a trace a tail sampler
  // dropped whole: neither its root nor its parent can be looked for there.
  if (!c.sampled) return false;
  if (tail_sampling && !k.sink.Find(c.trace_id)) return false;
  if (!k.Started(c.trace_id)) {
    ++e.foreign;
    return true;
  }
  if (!k.sink.HasSpan(c.trace_id, c.parent_span_id)) {
    ++e.parent_not_exported;
    return true;
  }
  return false;
}

void Attribute(const InboundRecord& r, const Known& k, WitnessEdges& out) {
  if (r.request_id_carried && !out.made_up_requests.contains(r.request_id)) {
    out.broken_requests.insert(r.request_id);
    return;
  }
  if (r.context.state == InboundContext::State::kValid) {
    if (auto it = k.request_of_trace.find(r.context.trace_id); it != k.request_of_trace.end()) {
      out.broken_requests.insert(it->second);
      return;
    }
    if (k.load_started.contains(r.context.trace_id)) {
      out.broken_load_traces.insert(r.context.trace_id);
      return;
    }
  }
  ++out.unattributed_broken;
}

}  // namespace

bool MadeUpRequestId(const InboundRecord& record) {
  return Judged(record) && !record.request_id_carried;
}

std::set<std::uint64_t> MadeUpRequests(const RunData& data) {
  std::set<std::uint64_t> made_up;
  for (const InboundRecord& r : data.inbound) {
    if (MadeUpRequestId(r)) made_up.insert(r.request_id);
  }
  return made_up;
}

WitnessEdges JudgeWitnesses(const RunData& data, const SinkIndex& sink) {
  WitnessEdges out;
  out.made_up_requests = MadeUpRequests(data);
  if (std::none_of(data.inbound.begin(), data.inbound.end(), Judged)) return out;
  const Known known = Index(data, sink, out.made_up_requests);
  for (const InboundRecord& r : data.inbound) {
    if (!Judged(r)) continue;
    ++out.judged;
    WitnessEdge& e = EdgeOf(out, r);
    ++e.calls;
    if (!JudgeArrival(r, known, data.tail_sampling, e)) continue;
    Attribute(r, known, out);
    if (r.span_trace_id.IsValid()) AddEvidence(e.evidence, r.span_trace_id);
    if (r.context.state == InboundContext::State::kValid)
      AddEvidence(e.evidence, r.context.trace_id);
  }
  return out;
}

namespace {

std::string EdgeReason(const std::string& name, const WitnessEdge& e, std::uint64_t load_requests) {
  const bool message = !e.queue.empty();
  const std::string unit = message ? "messages" : "calls";
  std::vector<std::pair<std::uint64_t, std::string>> kinds = {
      {e.no_context, message ? "arrived without trace headers" : "arrived without trace context"},
      {e.malformed,
       fmt::format("arrived with a malformed traceparent (e.g. \"{}\")", e.malformed_example)},
      {e.foreign, "arrived in a foreign trace (one no request of this run started)"},
      {e.parent_not_exported, "arrived with a parent span that never reached the sink"}};
  std::vector<std::string> parts;
  for (const auto& [n, what] : kinds)
    if (n > 0) parts.push_back(fmt::format("{} {}", n, what));
  std::string head;
  if (parts.size() == 1) {
    for (const auto& [n, what] : kinds)
      if (n > 0) head = fmt::format("{}: {} of {} {} {}", name, n, e.calls, unit, what);
  } else {
    head = fmt::format("{}: {} of {} {} broken ({})", name, e.broken(), e.calls, unit,
                       Join(parts, ", "));
  }
  return fmt::format("{} ({}; {} load requests)", head, e.callers_are, load_requests);
}

}  // namespace

std::vector<std::string> BrokenWitnessReasons(const WitnessEdges& found,
                                              std::uint64_t load_requests) {
  std::vector<std::pair<std::string, const WitnessEdge*>> broken;
  for (const auto& [name, e] : found.edges)
    if (e.broken() > 0) broken.emplace_back(name, &e);
  std::stable_sort(broken.begin(), broken.end(), [](const auto& a, const auto& b) {
    return a.second->broken() > b.second->broken();
  });
  std::vector<std::string> reasons;
  for (const auto& [name, e] : broken) reasons.push_back(EdgeReason(name, *e, load_requests));
  return reasons;
}

nlohmann::json WitnessEdgesJson(const WitnessEdges& found) {
  nlohmann::json json = nlohmann::json::array();
  for (const auto& [name, e] : found.edges) {
    nlohmann::json edge = {{"edge", name},
                           {"caller", e.caller},
                           {"callee", e.callee},
                           {"calls", e.calls},
                           {"broken", e.broken()},
                           {"no_context", e.no_context},
                           {"malformed", e.malformed},
                           {"foreign_trace", e.foreign},
                           {"parent_not_exported", e.parent_not_exported},
                           {"evidence", e.evidence}};
    if (!e.queue.empty()) edge["queue"] = e.queue;
    json.push_back(std::move(edge));
  }
  return json;
}

}  // namespace traceproof::checks
