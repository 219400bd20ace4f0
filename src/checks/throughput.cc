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
      if (context.ground_truth) index.emplace(context.load_entry_services);
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
        if (index && index->HasSpan(s.span_id)) {
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
    if (tally.truth_spans > 0) {
      emitted = tally.emitted;
      arrived = tally.arrived;
      lost_traces = tally.LostTraces();
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

  // "collector dropped 30 (queue_full 30); 7 unaccounted between collector and sink", or
  // "every hop accounted exactly"; "" without hop counters. Fills details["hops"].
  static std::string Reconcile(const RunData& data, CheckResult& r) {
    if (data.hops.empty()) return "";
    std::vector<std::string> parts;
    nlohmann::json hops = nlohmann::json::array();
    bool exact = true;
    for (std::size_t i = 0; i < data.hops.size(); ++i) {
      const HopCounters& h = data.hops[i];
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
      hops.push_back({{"name", h.name},
                      {"received", h.received},
                      {"passed_on", h.passed_on},
                      {"dropped", by_reason},
                      {"unaccounted", unaccounted}});
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
      if (i + 1 < data.hops.size()) {
        const HopCounters& next = data.hops[i + 1];
        const std::int64_t transit = std::int64_t(h.passed_on) - std::int64_t(next.received);
        if (transit != 0) {
          exact = false;
          parts.push_back(transit > 0 ? std::to_string(transit) + " lost between " + h.name +
                                            " and " + next.name
                                      : std::to_string(-transit) + " more arrived at " + next.name +
                                            " than " + h.name + " passed on");
        }
      }
    }
    r.details["hops"] = hops;
    r.details["accounted_exactly"] = exact;
    parts.push_back(exact ? "every span accounted for hop by hop" : "hop counters do not add up");
    return Join(parts, "; ");
  }

  ThroughputSpec spec_;
};

}  // namespace

std::unique_ptr<Check> MakeThroughputCheck(const ThroughputSpec& spec) {
  return std::make_unique<ThroughputCheck>(spec);
}

}  // namespace traceproof
