// throughput: did every span arrive, and did the run go as fast as it should? Loss is what the
// services exported (ground truth) minus what the sink holds, matched by span id so extra spans
// cannot hide missing ones. With hop counters the loss is reconciled hop by hop: each hop must
// account for what it received (passed on + dropped, by reason), and what one hop passed on must
// reach the next; whatever does not add up is named with the two hops it vanished between.
#include <algorithm>
#include <cmath>
#include <optional>
#include <unordered_map>

#include "checks/check_util.h"
#include "checks/make_check.h"
#include "checks/sink_index.h"
#include "checks/throughput_spec.h"

namespace traceproof {

namespace {

using checks::AddEvidence;

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, v >= 100 || v == std::floor(v) ? "%.0f" : "%.1f", v);
  return buf;
}

class ThroughputCheck final : public Check {
 public:
  explicit ThroughputCheck(ThroughputSpec spec) : spec_(std::move(spec)) {}

  std::unique_ptr<TraceTally> NewTally(const TallyContext& context) const override {
    return std::make_unique<Tally>(context);
  }

  bool JoinsTruth() const override { return true; }

  CheckResult Judge(const TraceTally& base, const RunData& data) const override {
    const Tally& tally = static_cast<const Tally&>(base);
    CheckResult r;
    r.kind = "throughput";
    r.pos = spec_.pos;
    std::vector<std::string> labels{"loss " + spec_.loss.text}, reasons;
    const std::uint64_t sink_spans = tally.spans;
    const bool loss_ok = JudgeLoss(data, tally, reasons, r);
    const bool rates_ok = JudgeRates(data, sink_spans, labels, reasons, r);
    r.label = Join(labels, ", ");
    r.reason = Join(reasons, "; ");
    r.passed = loss_ok && rates_ok;
    return r;
  }

 private:
  // The spans the sink took; which ones, only when there is ground truth to match them with.
  // Each exported span of ground truth is matched by span id with the sink's, whichever comes
  // first; only those not matched yet are kept (with their place in the recording order, so
  // the lost traces are listed as a walk over the whole run lists them).
  struct Tally final : TraceTally {
    explicit Tally(const TallyContext& context) {
      if (context.ground_truth)
        index.emplace(checks::SinkIndexOptions{context.load_entry_services, true,
                                               context.forget_sink_traces_after});
    }
    void Add(const Trace& trace) override {
      spans += trace.IsUpdate() ? trace.NewSpanCount() : trace.spans.size();
      if (!index) return;
      index->Add(trace);
      if (unmatched.empty()) return;
      for (std::size_t i = trace.IsUpdate() ? trace.new_from : 0; i < trace.spans.size(); ++i) {
        const auto [first, last] = unmatched.equal_range(trace.spans[i].span_id);
        arrived += static_cast<std::uint64_t>(std::distance(first, last));
        unmatched.erase(first, last);
      }
    }
    void AddRequest(const checks::TruthRequest& request) override {
      truth_spans += request.spans.size();
      for (std::size_t i = 0; i < request.spans.size(); ++i) {
        const GroundTruthSpan& s = request.spans[i];
        if (!s.exported) continue;
        ++emitted;
        if (index && index->HasSpan(s.trace_id, s.span_id)) {
          ++arrived;
        } else {
          unmatched.emplace(s.span_id, std::pair(request.positions[i], s.trace_id));
        }
      }
    }
    // The lost spans' traces in recording order.
    std::vector<std::string> LostTraces() const {
      std::vector<std::pair<std::uint64_t, TraceId>> lost;
      for (const auto& [span, at] : unmatched) lost.push_back(at);
      std::sort(lost.begin(), lost.end());
      std::vector<std::string> evidence;
      for (const auto& [position, trace] : lost) AddEvidence(evidence, trace);
      return evidence;
    }
    std::uint64_t spans = 0;
    std::optional<checks::SinkIndex> index;
    std::uint64_t truth_spans = 0, emitted = 0, arrived = 0;
    // Exported, not at the sink (yet): span id -> (recording position, trace id).
    std::unordered_multimap<SpanId, std::pair<std::uint64_t, TraceId>, IdHash> unmatched;
  };

  // Spans the services exported that never reached the sink, reconciled hop by hop.
  bool JudgeLoss(const RunData& data, const Tally& tally, std::vector<std::string>& reasons,
                 CheckResult& r) const {
    const std::uint64_t sink_spans = tally.spans;
    std::uint64_t emitted = 0, arrived = 0;
    std::vector<std::string> lost_traces;
    bool unknown = false;
    // With a sink tier: lost spans by the sink their trace reached (index), or none (last).
    std::vector<std::uint64_t> lost_by_sink(data.sinks.size() + 1, 0);
    if (tally.truth_spans > 0) {
      emitted = tally.emitted;
      arrived = tally.arrived;
      lost_traces = tally.LostTraces();
      if (!data.sinks.empty())
        for (const auto& [span, at] : tally.unmatched)
          ++lost_by_sink[SinkOfTrace(data.sinks, at.second)];
    } else if (!data.hops.empty() && data.hops.front().name == kSenderHopName) {
      emitted = data.hops.front().received;  // span load: what the generator tried to send
      arrived = std::min(emitted, sink_spans);
    } else {
      emitted = arrived = sink_spans;  // nothing upstream of the sink counted what was sent
      unknown = true;
    }
    const std::uint64_t lost = emitted - arrived;
    const bool loss_ok =
        spec_.loss.Holds(checks::Measured(spec_.loss, double(lost), double(emitted)));
    std::string loss_reason =
        "lost " + std::to_string(lost) + " of " + std::to_string(emitted) + " spans";
    if (emitted > 0)
      loss_reason += " (" + checks::FormatShare(double(lost) / double(emitted)) + ")";
    if (unknown) loss_reason += " (what was sent is unknown: no ground truth, no sender count)";
    if (lost > 0 && !data.sinks.empty())
      loss_reason += ": " + AttributeToSinks(data, lost_by_sink, r);
    const std::string hops = Reconcile(data, r);
    if (!hops.empty()) loss_reason += ": " + hops;
    if (!loss_ok) loss_reason += "; want loss " + spec_.loss.text;
    reasons.push_back(loss_reason);
    if (!loss_ok) r.evidence = lost_traces;
    r.details["emitted_spans"] = emitted;
    r.details["arrived_spans"] = arrived;
    r.details["lost_spans"] = lost;
    r.details["sink_spans"] = sink_spans;
    return loss_ok;
  }

  // Spans per second at the sink, requests per second sent, and how close to the target rate.
  bool JudgeRates(const RunData& data, std::uint64_t sink_spans, std::vector<std::string>& labels,
                  std::vector<std::string>& reasons, CheckResult& r) const {
    bool passed = true;
    const double seconds = data.run_seconds > 0 ? data.run_seconds : data.load.duration_s;
    const double spans_per_s = seconds > 0 ? double(sink_spans) / seconds : 0;
    r.details["spans_per_s"] = spans_per_s;
    if (spec_.min_spans_per_s) {
      const bool ok = spans_per_s >= *spec_.min_spans_per_s;
      passed = passed && ok;
      labels.push_back("spans/s >= " + Num(*spec_.min_spans_per_s));
      reasons.push_back("sink received " + Num(spans_per_s) + " spans/s over " + Num(seconds) +
                        " s" + (ok ? "" : ", want >= " + Num(*spec_.min_spans_per_s)));
    }
    const double requests_per_s = data.load.AchievedRatePerS();
    r.details["requests_per_s"] = requests_per_s;
    r.details["target_requests_per_s"] = data.load.target_rate_per_s;
    if (spec_.min_requests_per_s) {
      const bool ok = requests_per_s >= *spec_.min_requests_per_s;
      passed = passed && ok;
      labels.push_back("requests/s >= " + Num(*spec_.min_requests_per_s));
      reasons.push_back("load sent " + Num(requests_per_s) + " requests/s" +
                        (ok ? "" : ", want >= " + Num(*spec_.min_requests_per_s)));
    }
    if (spec_.rate_within) {
      const double target = data.load.target_rate_per_s;
      const double off = target > 0 ? std::fabs(requests_per_s - target) / target : 1;
      const bool ok = target > 0 && off <= *spec_.rate_within + 1e-12;
      passed = passed && ok;
      labels.push_back("request rate within " + checks::FormatShare(*spec_.rate_within) +
                       " of target");
      reasons.push_back(
          "achieved " + Num(requests_per_s) + " of " + Num(target) + " requests/s targeted (" +
          checks::FormatShare(off) + " off" +
          (data.load.dropped_iterations
               ? ", " + std::to_string(data.load.dropped_iterations) + " iterations not started"
               : std::string()) +
          ")" + (ok ? "" : ", want within " + checks::FormatShare(*spec_.rate_within)));
    }
    return passed;
  }

  // The index of the first sink that received part of the trace, or sinks.size() for none.
  static std::size_t SinkOfTrace(const std::vector<SinkRouting>& sinks, const TraceId& id) {
    for (std::size_t i = 0; i < sinks.size(); ++i)
      if (sinks[i].trace_ids.contains(id)) return i;
    return sinks.size();
  }

  // Routing by trace id never moves a trace to another sink (a static resolver's ring is
  // fixed), so a lost span belongs to the sink its trace went to: the one that received the
  // trace's other spans or, for a trace that reached no sink at all, the killed sink when only
  // one was killed (every other one kept its receivers open). "sink 1 (127.0.0.1:PORT) killed at
  // 4.0 s: 900 spans lost, routed to it (...)". Fills details["lost_by_sink"].
  static std::string AttributeToSinks(const RunData& data,
                                      const std::vector<std::uint64_t>& lost_by_sink,
                                      CheckResult& r) {
    const std::size_t none = data.sinks.size();
    std::vector<std::size_t> killed;
    for (std::size_t i = 0; i < data.sinks.size(); ++i)
      if (data.sinks[i].killed_at_s) killed.push_back(i);
    const bool one_killed = killed.size() == 1;
    std::vector<std::string> parts;
    nlohmann::json by_sink = nlohmann::json::object();
    for (std::size_t i = 0; i < data.sinks.size(); ++i) {
      const SinkRouting& s = data.sinks[i];
      const std::uint64_t held = lost_by_sink[i];
      const std::uint64_t unseen = one_killed && killed.front() == i ? lost_by_sink[none] : 0;
      const std::uint64_t total = held + unseen;
      by_sink[s.name] = total;
      if (!total) continue;
      std::string text = s.name + " (" + s.endpoint + ")";
      if (s.killed_at_s) text += " killed at " + Num(*s.killed_at_s) + " s";
      text += ": " + std::to_string(total) + " spans lost, routed to it (" + std::to_string(held) +
              " in traces it had received part of" +
              (unseen ? ", " + std::to_string(unseen) +
                            " in traces that reached no sink, which only the killed sink's "
                            "share of the ring can be"
                      : std::string()) +
              ")";
      parts.push_back(text);
    }
    // The Collector's own word on which backend failed, where its log says so.
    std::vector<std::string> failed, quiet;
    for (const SinkRouting& s : data.sinks)
      (s.collector_failed_exports ? failed : quiet)
          .push_back(s.collector_failed_exports
                         ? s.endpoint + " (" + s.name + ") in " +
                               std::to_string(s.collector_failed_exports) + " lines"
                         : s.name);
    if (!failed.empty()) {
      parts.push_back("the Collector's log reports failed exports to " + Join(failed) +
                      (quiet.empty() ? "" : ", to " + Join(quiet, " and ") + " none"));
    }
    if (!one_killed && lost_by_sink[none]) {
      by_sink["no sink"] = lost_by_sink[none];
      parts.push_back(std::to_string(lost_by_sink[none]) +
                      " spans lost in traces that reached no sink" +
                      (killed.empty() ? "" : " (more than one sink was killed: not attributed)"));
    }
    r.details["lost_by_sink"] = by_sink;
    return Join(parts, "; ");
  }

  // "collector dropped 30 (queue_full 30); 7 unaccounted between collector and sink", or
  // "every hop accounted exactly"; "" without hop counters. Fills details["hops"].
  static std::string Reconcile(const RunData& data, CheckResult& r) {
    if (data.hops.empty()) return "";
    std::vector<std::string> parts;
    nlohmann::json hops = nlohmann::json::array();
    bool exact = true;
    for (const HopCounters& h : data.hops) {
      std::uint64_t dropped = 0;
      std::vector<std::string> reasons;
      nlohmann::json by_reason = nlohmann::json::object();
      for (const auto& [why, n] : h.dropped) {
        dropped += n;
        by_reason[why] = n;
        if (n) reasons.push_back(why + " " + std::to_string(n));
      }
      const std::int64_t unaccounted =
          std::int64_t(h.received) - std::int64_t(h.passed_on) - std::int64_t(dropped);
      nlohmann::json hop = {{"name", h.name},
                            {"received", h.received},
                            {"passed_on", h.passed_on},
                            {"dropped", by_reason},
                            {"unaccounted", unaccounted}};
      if (!h.tier.empty()) hop["tier"] = h.tier;
      hops.push_back(std::move(hop));
      if (dropped) {
        parts.push_back(h.name + " dropped " + std::to_string(dropped) + " (" + Join(reasons) +
                        ")");
      }
      if (unaccounted != 0) {
        exact = false;
        parts.push_back(h.name + " received " + std::to_string(h.received) + " but passed on " +
                        std::to_string(h.passed_on) + " and dropped " + std::to_string(dropped) +
                        ": " + std::to_string(unaccounted) + " unaccounted");
      }
    }
    // Between one stage and the next: a stage is one hop, or the hops of a tier side by side.
    const std::vector<Stage> stages = Stages(data.hops);
    for (std::size_t i = 0; i + 1 < stages.size(); ++i) {
      const Stage& from = stages[i];
      const Stage& to = stages[i + 1];
      const std::int64_t transit = std::int64_t(from.passed_on) - std::int64_t(to.received);
      if (transit == 0) continue;
      exact = false;
      parts.push_back(transit > 0 ? std::to_string(transit) + " lost between " + from.name +
                                        " and " + to.name
                                  : std::to_string(-transit) + " more arrived at " + to.name +
                                        " than " + from.name + " passed on");
    }
    r.details["hops"] = hops;
    r.details["accounted_exactly"] = exact;
    parts.push_back(exact ? "every span accounted for hop by hop" : "hop counters do not add up");
    return Join(parts, "; ");
  }

  struct Stage {
    std::string name;  // the hop's, or "sinks (sink 0 + sink 1 + sink 2)"
    std::uint64_t received = 0;
    std::uint64_t passed_on = 0;
  };
  static std::vector<Stage> Stages(const std::vector<HopCounters>& hops) {
    std::vector<Stage> stages;
    std::vector<std::string> members;
    for (std::size_t i = 0; i < hops.size(); ++i) {
      const HopCounters& h = hops[i];
      const bool continues = i > 0 && !h.tier.empty() && hops[i - 1].tier == h.tier;
      if (!continues) {
        if (members.size() > 1) stages.back().name += " (" + Join(members, " + ") + ")";
        members.clear();
        stages.push_back({h.tier.empty() ? h.name : h.tier, 0, 0});
      }
      members.push_back(h.name);
      stages.back().received += h.received;
      stages.back().passed_on += h.passed_on;
    }
    if (members.size() > 1) stages.back().name += " (" + Join(members, " + ") + ")";
    return stages;
  }

  ThroughputSpec spec_;
};

}  // namespace

std::unique_ptr<Check> MakeThroughputCheck(const ThroughputSpec& spec) {
  return std::make_unique<ThroughputCheck>(spec);
}

}  // namespace traceproof
