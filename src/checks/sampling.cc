// sampling: did the samplers do what the scenario configured? Judged against ground truth, where
// every request's spans are known whether or not they were sampled. Head sampling is a coin per
// request, so its share is tested against a binomial confidence interval (Wilson score), never
// for equality; parent-based sampling means no request is partly sampled; tail sampling is
// checked by what reached the sink: every error and every slow request, a share of the rest,
// and every kept request whole (a tail sampler decides per trace, so a kept trace that lacks
// spans its services exported was cut, e.g. by a decision taken before its last spans arrived).
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "checks/check_util.h"
#include "checks/keyed_evidence.h"
#include "checks/make_check.h"
#include "checks/sampling_spec.h"
#include "checks/sink_index.h"
#include "checks/truth_join.h"

namespace traceproof {

namespace {

using checks::AddEvidence;
using checks::FormatShare;
using checks::Interval;
using checks::Wilson;

// One load request's ground truth as the sampling check reads it.
struct Request {
  const GroundTruthSpan* root = nullptr;
  bool any_sampled = false, any_unsampled = false, any_exported = false, error = false;
  std::uint64_t exported_spans = 0;
  std::set<TraceId> trace_ids;
};

// The request's root is the span that should have had no parent (the first one if a truth file
// lacks it). The joiner has folded the spans of request ids a mock made up behind the user's
// code into the request their trace belongs to (truth_join.h), so a request through an app is
// counted once, not once per mock behind it.
Request RequestOf(const checks::TruthRequest& truth) {
  Request req;
  for (const GroundTruthSpan& s : truth.spans) {
    const bool is_root = !s.expected_parent_span_id.IsValid();
    if (!req.root || (is_root && req.root->expected_parent_span_id.IsValid()) ||
        (is_root == !req.root->expected_parent_span_id.IsValid() &&
         s.start_unix_ns < req.root->start_unix_ns))
      req.root = &s;
    (s.sampled ? req.any_sampled : req.any_unsampled) = true;
    req.any_exported = req.any_exported || s.exported;
    req.exported_spans += s.exported ? 1 : 0;
    req.error = req.error || s.status == StatusCode::kError;
    req.trace_ids.insert(s.trace_id);
  }
  return req;
}

// What the tail judgement needs of a request the tail sampler saw, until the end of the run
// (what reached the sink of its traces is known only then).
struct TailRequest {
  std::vector<TraceId> trace_ids;
  std::uint64_t exported_spans = 0;
  bool error = false;
  std::int64_t duration_ns = 0;
  TraceId root_trace_id;
};

class SamplingCheck final : public Check {
 public:
  explicit SamplingCheck(SamplingSpec spec) : spec_(std::move(spec)) {}

  // Only the tail judgement reads the sink: how many spans of each trace arrived.
  std::unique_ptr<TraceTally> NewTally(const TallyContext& context) const override {
    return std::make_unique<Tally>(spec_.tail ? std::optional(context) : std::nullopt);
  }

  bool JoinsTruth() const override { return true; }

  CheckResult Judge(const TraceTally& base, const RunData& data) const override {
    const Tally& tally = static_cast<const Tally&>(base);
    CheckResult r;
    r.kind = "sampling";
    r.pos = spec_.pos;

    std::vector<std::string> labels, reasons;
    bool passed = true;
    const std::optional<double> head =
        spec_.head_ratio ? spec_.head_ratio : data.head_sampler_ratio;
    const std::uint64_t requests = tally.requests;
    if (head) {
      const std::uint64_t sampled = tally.head_sampled;
      const Interval ci = Wilson(sampled, requests, spec_.confidence);
      const double share = requests == 0 ? 0 : double(sampled) / double(requests);
      const bool ok = requests > 0 && ci.Contains(*head);
      passed = passed && ok;
      labels.push_back("head ratio " + FormatShare(*head) + " at " + FormatShare(spec_.confidence) +
                       " confidence");
      reasons.push_back("head sampled " + std::to_string(sampled) + " of " +
                        std::to_string(requests) + " requests (" + FormatShare(share) + "; " +
                        FormatShare(spec_.confidence) + " interval " + FormatShare(ci.low) +
                        "\u2013" + FormatShare(ci.high) + ")" +
                        (ok ? "" : ", want " + FormatShare(*head)));
      r.details["head"] = {{"requests", requests},   {"sampled", sampled},
                           {"share", share},         {"want", *head},
                           {"interval_low", ci.low}, {"interval_high", ci.high}};
    }
    if (spec_.parent_based) {
      const std::uint64_t partly = tally.partly;
      const std::vector<std::string> evidence = tally.partly_evidence.Ids();
      labels.push_back("parent-based");
      if (partly > 0) {
        passed = false;
        reasons.push_back(std::to_string(partly) + " of " + std::to_string(requests) +
                          " requests partly sampled (a service ignored its parent's decision)");
        for (const auto& id : evidence)
          if (r.evidence.size() < checks::kMaxEvidence) r.evidence.push_back(id);
      } else {
        reasons.push_back("no request partly sampled");
      }
      r.details["partly_sampled_requests"] = partly;
    }
    if (spec_.tail) passed = RunTail(tally, labels, reasons, r) && passed;
    r.label = Join(labels, ", ");
    r.reason = Join(reasons, "; ");
    r.passed = passed;
    return r;
  }

 private:
  // Per request, as the joiner hands them out: counts for the head ratio and parent-based
  // sampling; for the tail, what each request the tail sampler saw needs at the end.
  struct Tally final : TraceTally {
    explicit Tally(const std::optional<TallyContext>& context) {
      // The tail is judged at the end, over every request: nothing is forgotten.
      if (context) index.emplace(checks::SinkIndexOptions{context->load_entry_services, false, {}});
    }
    void Add(const Trace& trace) override {
      if (index) index->Add(trace);
    }
    void AddRequest(const checks::TruthRequest& truth) override {
      if (truth.spans.empty()) return;  // witness records only: no span, no request
      const Request req = RequestOf(truth);
      ++requests;
      head_sampled += req.root->sampled ? 1 : 0;
      if (req.any_sampled && req.any_unsampled) {
        ++partly;
        partly_evidence.Add(truth.request_id, {req.trace_ids.begin(), req.trace_ids.end()});
      }
      if (!index || !req.any_exported) return;  // the tail sampler never saw it
      TailRequest& t = tail[truth.request_id];
      t.trace_ids.assign(req.trace_ids.begin(), req.trace_ids.end());
      t.exported_spans = req.exported_spans;
      t.error = req.error;
      t.duration_ns = static_cast<std::int64_t>(req.root->end_unix_ns - req.root->start_unix_ns);
      t.root_trace_id = req.root->trace_id;
    }
    std::optional<checks::SinkIndex> index;
    std::uint64_t requests = 0, head_sampled = 0, partly = 0;
    checks::KeyedEvidence partly_evidence;  // by request id, as the whole run's walk lists it
    std::map<std::uint64_t, TailRequest> tail;
  };

  // What the tail sampler kept, by the class of request its policy names.
  struct TailTally {
    std::uint64_t errors = 0, errors_kept = 0, slow = 0, slow_kept = 0, rest = 0, rest_kept = 0;
    std::uint64_t partial = 0, kept_total = 0;
    std::vector<std::string> missing, cut;  // evidence: required but dropped; kept but cut
  };

  TailTally TallyTail(const checks::SinkIndex& sink,
                      const std::map<std::uint64_t, TailRequest>& requests) const {
    const TailSamplingSpec& tail = *spec_.tail;
    TailTally n;
    for (const auto& [id, req] : requests) {
      bool kept = false;
      std::uint64_t arrived = 0;
      for (const TraceId& t : req.trace_ids) {
        const checks::SinkTraceFacts* facts = sink.Find(t);
        if (!facts) continue;
        kept = true;
        arrived += facts->spans;
      }
      if (kept) {
        ++n.kept_total;
        if (arrived < req.exported_spans) {
          ++n.partial;
          AddEvidence(n.cut, req.root_trace_id);
        }
      }
      const std::int64_t duration_ns = req.duration_ns;
      if (tail.keep_errors && req.error) {
        ++n.errors;
        n.errors_kept += kept;
        if (!kept) AddEvidence(n.missing, req.root_trace_id);
      } else if (tail.keep_slower_than && duration_ns > tail.keep_slower_than->count()) {
        ++n.slow;
        n.slow_kept += kept;
        if (!kept) AddEvidence(n.missing, req.root_trace_id);
      } else {
        ++n.rest;
        n.rest_kept += kept;
      }
    }
    return n;
  }

  bool RunTail(const Tally& tally, std::vector<std::string>& labels,
               std::vector<std::string>& reasons, CheckResult& r) const {
    const TailSamplingSpec& tail = *spec_.tail;
    const TailTally n = TallyTail(*tally.index, tally.tail);
    bool ok = true;
    nlohmann::json details;
    auto kept_of = [](std::uint64_t kept, std::uint64_t all, const std::string& what) {
      return what + ": " + std::to_string(kept) + " of " + std::to_string(all) + " kept" +
             (kept == all ? "" : ", want all");
    };
    if (tail.keep_errors) {
      labels.push_back("tail keeps errors");
      reasons.push_back(kept_of(n.errors_kept, n.errors, "error traces"));
      ok = ok && n.errors_kept == n.errors;
      details["errors"] = n.errors;
      details["errors_kept"] = n.errors_kept;
    }
    if (tail.keep_slower_than) {
      labels.push_back("tail keeps slower than " +
                       checks::FormatNs(double(tail.keep_slower_than->count())));
      reasons.push_back(kept_of(
          n.slow_kept, n.slow,
          "traces slower than " + checks::FormatNs(double(tail.keep_slower_than->count()))));
      ok = ok && n.slow_kept == n.slow;
      details["slow"] = n.slow;
      details["slow_kept"] = n.slow_kept;
    }
    if (tail.ratio) {
      const Interval ci = Wilson(n.rest_kept, n.rest, spec_.confidence);
      const bool rest_ok = n.rest == 0 || ci.Contains(*tail.ratio);
      labels.push_back("tail keeps " + FormatShare(*tail.ratio) + " of the rest");
      reasons.push_back(
          "other traces: " + std::to_string(n.rest_kept) + " of " + std::to_string(n.rest) +
          " kept (" + FormatShare(n.rest ? double(n.rest_kept) / n.rest : 0) + "; " +
          FormatShare(spec_.confidence) + " interval " + FormatShare(ci.low) + "\u2013" +
          FormatShare(ci.high) + ")" + (rest_ok ? "" : ", want " + FormatShare(*tail.ratio)));
      ok = ok && rest_ok;
      details["rest"] = n.rest;
      details["rest_kept"] = n.rest_kept;
    }
    labels.push_back("no trace kept partially");
    reasons.push_back(n.partial == 0
                          ? "every kept trace whole (" + std::to_string(n.kept_total) + ")"
                          : std::to_string(n.partial) + " of " + std::to_string(n.kept_total) +
                                " kept traces partial (spans missing at the sink), "
                                "want none");
    ok = ok && n.partial == 0;
    details["kept"] = n.kept_total;
    details["kept_partially"] = n.partial;
    r.details["tail"] = details;
    if (!ok) {
      for (const auto* ids : {&n.missing, &n.cut})
        for (const auto& id : *ids)
          if (r.evidence.size() < checks::kMaxEvidence) r.evidence.push_back(id);
    }
    return ok;
  }

  SamplingSpec spec_;
};

}  // namespace

std::unique_ptr<Check> MakeSamplingCheck(const SamplingSpec& spec) {
  return std::make_unique<SamplingCheck>(spec);
}

}  // namespace traceproof
