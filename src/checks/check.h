// The seam for trace checks: a check reads a run and says pass or fail with a reason a person
// can act on ("gateway -> orders: 37 broken of 2000") and evidence (trace ids to look at). A
// scenario holds each check as a spec (check_spec.h, validated when it loads); the run builds
// the Check from it with MakeCheck (make_check.h).
//
// A check never needs every trace at once: its TraceTally keeps what it needs (counters,
// evidence ids, compact per-trace facts) as traces complete, and Judge reads the tally with the
// rest of the run. A long run feeds each tally while the load goes on and lets the traces go
// (streaming); Run() over a RunData that holds the traces does the same in one go (batch,
// `traceproof check` of recorded results). Both are this one code path, so they agree exactly
// when fed the same traces in the same order. Checks are immutable and may judge concurrently;
// a tally is fed from one thread at a time. Nothing here throws.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "checks/run_data.h"
#include "checks/truth_join.h"
#include "config/source_pos.h"

namespace traceproof {

struct CheckResult {
  std::string kind;   // "structure", "propagation", ...
  std::string label;  // what the check asserted, one line, e.g. "broken_traces == 0"
  bool passed = false;
  std::string reason;                 // why it passed or failed, with the numbers
  std::vector<std::string> evidence;  // trace ids (hex), at most ~10, most telling first
  nlohmann::json details = nlohmann::json::object();  // measured values for summary.json
  SourcePos pos;                                      // where the check is in the scenario file
};

// What a tally may know before the first trace arrives, so it keeps only what its judging will
// read: a span-load run has no ground truth, and a check that joins traces with it need not
// remember every span id.
struct TallyContext {
  bool ground_truth = false;  // services (ours or the user's) take part: truth/inbound to join
  // RunData::load_entry_services: a SERVER root there starts a trace of this run.
  std::vector<std::string> load_entry_services;
  // Services we did not write (external, the user's apps) call our mocks: their witness records
  // are judged against the whole run's ground truth (Check::ReadsRunTruth).
  bool witnesses = false;
  // How long after a trace's last span the checks may forget what they keep of it to join it
  // with ground truth (checks/sink_index.h). A run sets it above the truth joiner's bound when
  // no request is held to the end; nullopt (batch, queues, witnesses): keep the whole run.
  std::optional<std::chrono::nanoseconds> forget_sink_traces_after;
  // How long after a trace's last span a check may forget the trace's shape (the structure
  // check's skeletons): late spans after that are counted but not judged with their trace.
  // nullopt (batch): keep the whole run.
  std::optional<std::chrono::nanoseconds> forget_traces_after;
};

// The context a batch run over `data` implies.
TallyContext TallyContextOf(const RunData& data);

// One check's memory of the traces of one run. Add() sees every trace the sink handed out, in
// completion order (an update record of late spans too: Trace::IsUpdate, its new spans from
// new_from), each exactly once. A check that judges ground truth per load request
// (Check::JoinsTruth) also gets each request once, whole, from the truth joiner
// (checks/truth_join.h), interleaved with the traces in whatever order the run completes them:
// what it keeps must not depend on that order.
class TraceTally {
 public:
  virtual ~TraceTally() = default;
  virtual void Add(const Trace& trace) = 0;
  virtual void AddRequest(const checks::TruthRequest& /*request*/) {}
};

class Check {
 public:
  virtual ~Check() = default;
  virtual std::unique_ptr<TraceTally> NewTally(const TallyContext& context) const = 0;
  // `tally` is this check's, fed every trace of the run; Judge does not read data.traces, nor,
  // when the check JoinsTruth, data.truth or data.inbound.
  virtual CheckResult Judge(const TraceTally& tally, const RunData& data) const = 0;
  // The check takes ground truth per request (TraceTally::AddRequest) instead of reading
  // data.truth and data.inbound at the end.
  virtual bool JoinsTruth() const { return false; }
  // Judge still reads data.truth and data.inbound whole in a run with this context: the run
  // must keep them to the end.
  virtual bool ReadsRunTruth(const TallyContext& /*context*/) const { return false; }
  // Batch: a tally fed data.traces in order, then (JoinsTruth) data.truth and data.inbound
  // through a truth joiner flushed at the end, then judged.
  CheckResult Run(const RunData& data) const;
};

// Batch: every request of data.truth and data.inbound, joined as a run joins them, to each of
// `tallies` (after the traces: a joiner given the whole run hands everything out at its end).
void FeedTruth(const RunData& data, const std::vector<TraceTally*>& tallies);

}  // namespace traceproof
