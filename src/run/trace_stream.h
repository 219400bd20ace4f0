// What `traceproof run` does with each trace the moment the sink completes it, so a run of any
// length keeps only open traces in memory: every check's tally takes what it needs
// (checks/check.h), the caller's trace writer gets the record (traces.jsonl, written by the
// harness as traces complete), and a digest keeps the counts and the slowest trace whole for the
// report. Ground truth comes in as it is recorded (AddTruth): a truth joiner
// (checks/truth_join.h) matches it with the completed traces and hands each load request,
// whole, to the tallies of the checks that judge requests, then forgets it. With a look-back
// for the "checks so far" sampler it also keeps the traces completed in the last few seconds.
// Add(), AddTruth(), ReleaseDue() and FlushTruth() from one thread at a time (the sweeper's);
// Recent() from any thread; Judge(), digest() and truth_counts() once the sweeper has stopped.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "checks/check.h"
#include "scenario/scenario.h"
#include "store/trace.h"

namespace traceproof {

struct TraceDigest {
  std::uint64_t records = 0;         // whole traces plus update records
  std::uint64_t update_records = 0;  // late spans of a trace handed out before
  std::uint64_t spans = 0;
  std::shared_ptr<const Trace> slowest;  // the longest root; a rootless trace by its extent
  std::int64_t slowest_ns = -1;
};

struct TraceStreamOptions {
  TallyContext context;
  // Each trace record in completion order, on the sweeper thread; may be empty.
  std::function<void(const Trace&)> on_trace;
  // Keep traces completed this recently for Recent(); 0: none.
  std::chrono::milliseconds keep_recent{0};
  std::size_t max_recent = 100'000;
  checks::TruthJoinOptions join;
};

class TraceStream {
 public:
  TraceStream(const std::vector<CheckSpec>& specs, TraceStreamOptions options);

  void Add(const std::vector<std::shared_ptr<const Trace>>& traces);
  // Ground truth recorded since the last call, in recording order.
  void AddTruth(std::vector<GroundTruthSpan> spans, std::vector<InboundRecord> inbound,
                Clock::time_point now);
  // Hands the requests that are whole (or given up on) at `now` to the tallies.
  void ReleaseDue(Clock::time_point now) { joiner_.ReleaseDue(now); }
  // Hands every request still held to the tallies: the end of the run, before Judge.
  void FlushTruth() { joiner_.Flush(); }
  // Batch (`traceproof check`, `traceproof merge`): every record of data.truth and
  // data.inbound after the traces, then the flush, as FeedTruth (checks/check.h) joins them.
  void JoinRecordedTruth(const RunData& data);
  std::size_t held_requests() const { return joiner_.held_requests(); }
  const checks::TruthJoinCounts& truth_counts() const { return joiner_.counts(); }
  // Some check's Judge reads data.truth and data.inbound whole (Check::ReadsRunTruth).
  bool ReadsRunTruth() const;
  // A trace completed within keep_recent, or null.
  std::shared_ptr<const Trace> Recent(const TraceId& id) const;
  // Every check judged over what its tally saw and `data` (ground truth, load, hops), in the
  // scenario's order.
  std::vector<CheckResult> Judge(const RunData& data) const;
  const TraceDigest& digest() const { return digest_; }

 private:
  void KeepRecent(const std::shared_ptr<const Trace>& trace, Clock::time_point now);

  const std::vector<CheckSpec>& specs_;
  TraceStreamOptions options_;
  std::vector<std::unique_ptr<Check>> checks_;
  std::vector<std::unique_ptr<TraceTally>> tallies_;
  checks::TruthJoiner joiner_;  // hands requests to the tallies of the checks that join truth
  TraceDigest digest_;
  mutable std::mutex recent_mu_;
  std::unordered_map<TraceId, std::shared_ptr<const Trace>, IdHash> recent_;
  std::deque<std::pair<Clock::time_point, std::shared_ptr<const Trace>>> recent_order_;
};

// The slowest-trace measure the report uses: the longest root span, else 0.
std::int64_t RootDurationNs(const Trace& trace);

}  // namespace traceproof
