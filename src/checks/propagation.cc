// propagation: did context survive every hop? Judged against ground truth, which knows for each
// span the parent it should have had and the load request it belongs to. The check composes
// five parts, each in its own file: request edges (requests that should be one trace but arrived
// as several, blamed per edge; request_edges.h), witness edges (what reached a mock from a
// service we did not write, where ground truth is blind; witness_edges.h), queue edges (is each
// consumer a child of, or linked to, its message's producer, as the scenario expects;
// queue_edges.h), queue delivery reconciliation (each message processed once, more, or lost;
// queue_messages.h) and tracestate (tracestate.h).
#include <fmt/format.h>

#include <algorithm>

#include "checks/check_util.h"
#include "checks/make_check.h"
#include "checks/propagation_spec.h"
#include "checks/queue_edges.h"
#include "checks/queue_messages.h"
#include "checks/request_edges.h"
#include "checks/tracestate.h"
#include "checks/witness_edges.h"

namespace traceproof {

namespace {

// What the parts found over one run, and which of the spec's bounds hold.
struct Findings {
  checks::QueueEdges queues;
  checks::RequestEdges requests;
  checks::WitnessEdges witness;
  // The load requests, and how many arrived broken: ground truth's requests when only our mocks
  // took part; with witnesses, every load request once (LoadRequests).
  std::uint64_t requests_total = 0;
  std::uint64_t requests_broken = 0;
  std::uint64_t load_sent = 0;  // LoadStats::sent
  checks::ReconciledQueues messages;
  checks::TracestateCount tracestate;
  bool broken_ok = true;  // requests broken within `broken_traces`
  bool queues_ok = true;  // queue deliveries not connected within `broken_traces`
  bool detached_ok = true;
  bool tracestate_ok = true;
  bool lost_ok = true;
  bool redelivered_ok = true;

  bool Passed() const {
    return broken_ok && detached_ok && tracestate_ok && queues_ok && lost_ok && redelivered_ok;
  }
};

bool Holds(const Comparison& c, double count, double total) {
  return c.Holds(checks::Measured(c, count, total));
}

// With witnesses (docs/scenarios.md, propagation): the load requests are the generator's (or
// ground truth's, if it knows more, e.g. a warm-up); a load request is broken when ground truth
// or a broken arrival tied to it says so, and each broken arrival tied to no load request counts
// as one more, never more than there are load requests.
void LoadRequests(const RunData& data, Findings& f) {
  f.requests_total = f.requests.requests;
  f.requests_broken = f.requests.broken_requests;
  f.load_sent = data.load.sent;
  if (f.witness.judged == 0) return;
  f.requests_total = std::max<std::uint64_t>(f.requests_total, data.load.sent);
  std::set<std::uint64_t> broken = f.requests.broken_ids;
  broken.insert(f.witness.broken_requests.begin(), f.witness.broken_requests.end());
  f.requests_broken = std::min<std::uint64_t>(
      f.requests_total,
      broken.size() + f.witness.broken_load_traces.size() + f.witness.unattributed_broken);
}

class PropagationCheck final : public Check {
 public:
  explicit PropagationCheck(PropagationSpec spec) : spec_(std::move(spec)) {}

  std::unique_ptr<TraceTally> NewTally(const TallyContext& context) const override {
    return std::make_unique<Tally>(*this, context);
  }

  bool JoinsTruth() const override { return true; }
  // The witness edges judge what reached the mocks from services we did not write against the
  // whole run's ground truth (which trace a request started is known anywhere in it).
  bool ReadsRunTruth(const TallyContext& context) const override { return context.witnesses; }

  CheckResult Judge(const TraceTally& base, const RunData& data) const override {
    const Tally& tally = static_cast<const Tally&>(base);
    const Findings found = Find(tally, data);
    CheckResult r;
    r.kind = "propagation";
    r.pos = spec_.pos;
    r.label = Label(tally);
    r.passed = found.Passed();
    r.reason = Join(Reasons(found), "; ");
    r.evidence = Evidence(found);
    r.details = Details(found);
    return r;
  }

 private:
  // Which traces reached the sink with how many roots (for requests and witnesses), and, with
  // `tracestate`, the parent -> child pairs that carried it; each request's edges, queue
  // deliveries and messages as the truth joiner hands it out.
  struct Tally final : TraceTally {
    Tally(const PropagationCheck& c, const TallyContext& context)
        : tracestate(c.spec_.tracestate),
          ground_truth(context.ground_truth),
          expect_links(c.spec_.expect_links),
          // Witnesses are judged at the end against every trace: then nothing is forgotten.
          sink({context.load_entry_services, context.witnesses,
                context.witnesses ? std::nullopt : context.forget_sink_traces_after}),
          queue_edges(c.spec_.expect_links) {}
    void Add(const Trace& trace) override {
      if (tracestate) checks::CountTracestate(trace, tracestate_count);
      if (!ground_truth) return;  // without it there is nothing to join traces with
      const checks::SinkTraceFacts& facts = sink.Add(trace);
      // A root that arrives after its request was judged as one trace breaks it still.
      if (facts.roots > 1)
        for (std::uint64_t request : facts.claimed_by) request_edges.Broken(request, trace.id);
    }
    void AddRequest(const checks::TruthRequest& request) override {
      const std::vector<checks::Delivery> deliveries = checks::Deliveries(request);
      const std::set<TraceId> linked = queue_edges.Add(request, deliveries);
      request_edges.Add(request, linked, expect_links, sink);
      messages.Add(request, deliveries);
    }
    bool tracestate;
    bool ground_truth;
    bool expect_links;
    checks::SinkIndex sink;
    checks::TracestateCount tracestate_count;
    checks::QueueEdgesTally queue_edges;
    checks::RequestEdgesTally request_edges;
    checks::QueueMessagesTally messages;
  };

  std::string Label(const Tally& tally) const {
    std::string label = "broken_traces " + spec_.broken_traces.text;
    if (spec_.detached) label += ", detached " + spec_.detached->text;
    if (spec_.tracestate) label += ", tracestate carried to children";
    if (tally.messages.any_consumer())
      label += spec_.expect_links ? ", queue consumers linked" : ", queue consumers as children";
    if (spec_.lost) label += ", lost messages " + spec_.lost->text;
    if (spec_.redelivered) label += ", redelivered messages " + spec_.redelivered->text;
    return label;
  }

  Findings Find(const Tally& tally, const RunData& data) const {
    Findings f;
    f.queues = tally.queue_edges.Judge();
    f.witness = checks::JudgeWitnesses(data, tally.sink);
    f.requests = tally.request_edges.Judge();
    LoadRequests(data, f);
    f.messages = tally.messages.Judge();
    if (spec_.tracestate) f.tracestate = tally.tracestate_count;
    const auto n = [](std::uint64_t v) { return static_cast<double>(v); };
    f.broken_ok = Holds(spec_.broken_traces, n(f.requests_broken), n(f.requests_total));
    f.queues_ok = Holds(spec_.broken_traces, n(f.queues.broken), n(f.queues.deliveries));
    if (spec_.detached) {
      f.detached_ok =
          Holds(*spec_.detached, n(f.requests.detached), n(f.requests.with_expected_parent));
    }
    f.tracestate_ok = f.tracestate.lost == 0;
    if (spec_.lost) f.lost_ok = Holds(*spec_.lost, n(f.messages.lost), n(f.messages.published));
    if (spec_.redelivered) {
      f.redelivered_ok =
          Holds(*spec_.redelivered, n(f.messages.redelivered), n(f.messages.published));
    }
    return f;
  }

  // Broken queue edges first, then the requests, then each further bound and queue.
  std::vector<std::string> Reasons(const Findings& f) const {
    std::vector<std::string> reasons = checks::BrokenQueueEdgeReasons(f.queues, spec_.expect_links);
    for (std::string& line : checks::BrokenWitnessReasons(f.witness, f.requests_total))
      reasons.push_back(std::move(line));
    std::string requests = checks::BrokenRequestsReason(f.requests, spec_.broken_traces.percent,
                                                        f.requests_broken, f.requests_total);
    if (f.witness.unattributed_broken > 0) {
      requests += fmt::format(
          "; {} broken arrivals could not be tied to a load request, each counted as one",
          f.witness.unattributed_broken);
    }
    if (!f.broken_ok) requests += ", want " + spec_.broken_traces.text;
    reasons.push_back(requests);
    if (spec_.detached) {
      reasons.push_back(
          "detached spans " +
          checks::FormatMeasured(*spec_.detached, f.requests.detached,
                                 static_cast<double>(f.requests.with_expected_parent)) +
          (f.detached_ok ? "" : ", want " + spec_.detached->text));
    }
    if (spec_.tracestate) {
      reasons.push_back(std::to_string(f.tracestate.lost) + " of " +
                        std::to_string(f.tracestate.edges) +
                        " child spans dropped their parent's tracestate");
    }
    if (!f.queues.edges.empty()) {
      reasons.push_back(fmt::format("{} of {} queue deliveries connected ({})",
                                    f.queues.deliveries - f.queues.broken, f.queues.deliveries,
                                    spec_.expect_links ? "want: linked" : "want: children"));
    }
    for (std::string& line : checks::QueueMessagesReasons(f.messages))
      reasons.push_back(std::move(line));
    if (!f.lost_ok) {
      reasons.push_back(fmt::format("{} of {} messages lost, want lost {}", f.messages.lost,
                                    f.messages.published, spec_.lost->text));
    }
    if (!f.redelivered_ok) {
      reasons.push_back(
          fmt::format("{} of {} messages processed more than once, want redelivered {}",
                      f.messages.redelivered, f.messages.published, spec_.redelivered->text));
    }
    return reasons;
  }

  // The traces of what failed: broken queue edges, the worst request edge's traces, other
  // broken requests, then detached spans, lost tracestate and lost messages.
  static std::vector<std::string> Evidence(const Findings& f) {
    std::vector<std::string> evidence;
    if (!f.queues_ok) {
      for (const auto& [name, q] : f.queues.edges) checks::MergeEvidence(evidence, q.evidence);
    }
    if (!f.broken_ok) {
      for (const auto& [name, e] : f.witness.edges) checks::MergeEvidence(evidence, e.evidence);
      for (const auto& [name, e] : checks::BrokenEdgesWorstFirst(f.requests))
        checks::MergeEvidence(evidence, e->evidence);
      checks::MergeEvidence(evidence, f.requests.broken_evidence);
    }
    if (!f.detached_ok) checks::MergeEvidence(evidence, f.requests.detached_evidence);
    if (!f.tracestate_ok) checks::MergeEvidence(evidence, f.tracestate.evidence);
    if (!f.lost_ok) {
      for (const auto& [queue, m] : f.messages.queues)
        checks::MergeEvidence(evidence, m.lost_evidence);
    }
    return evidence;
  }

  nlohmann::json Details(const Findings& f) const {
    nlohmann::json details = {{"requests", f.requests_total},
                              {"broken_requests", f.requests_broken},
                              {"detached_spans", f.requests.detached},
                              {"spans_with_expected_parent", f.requests.with_expected_parent},
                              {"edges", checks::EdgesJson(f.requests)}};
    if (f.witness.judged > 0) {
      details["witness_edges"] = checks::WitnessEdgesJson(f.witness);
      details["witness_arrivals"] = f.witness.judged;
      details["load_requests_sent"] = f.load_sent;
    }
    if (!f.queues.edges.empty()) {
      details["queue_edges"] = checks::QueueEdgesJson(f.queues, spec_.expect_links);
      details["queue_deliveries"] = f.queues.deliveries;
      details["queue_broken"] = f.queues.broken;
    }
    if (!f.messages.queues.empty()) {
      details["queue_messages"] = checks::QueueMessagesJson(f.messages);
      details["messages_lost"] = f.messages.lost;
      details["messages_redelivered"] = f.messages.redelivered;
    }
    if (spec_.tracestate) {
      details["tracestate_lost"] = f.tracestate.lost;
      details["tracestate_edges"] = f.tracestate.edges;
    }
    return details;
  }

  PropagationSpec spec_;
};

}  // namespace

std::unique_ptr<Check> MakePropagationCheck(const PropagationSpec& spec) {
  return std::make_unique<PropagationCheck>(spec);
}

}  // namespace traceproof
