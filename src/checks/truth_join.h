// Ground truth grouped by load request and matched with the sink's traces, so the checks that
// judge requests take each request once it is whole instead of every record of the run at the
// end (issue 14). The joiner keeps a request's ground-truth spans and inbound witness records
// until every trace its services exported has completed at the sink and nothing of it was
// recorded for `settle`; then it hands the request out and forgets it. A request some trace of
// which never completes is handed out as missing once it has been quiet for settle +
// missing_after: the checks count what did not arrive as lost, as they would at the end. A span
// of a request id a mock made up behind the user's code (witness_edges.h: MadeUpRequestId)
// belongs to the request its trace does, as the sampling check counts requests; it waits for
// that request (or missing_after) and goes out with it. A request that published a message is
// held to the end: the message may be delivered again at any time (after a broker restart),
// and that delivery's consumer span belongs to the request. Flush() hands out everything held: the
// end of a run, or a batch judge (Check::Run) that feeds the whole run and flushes. Times are
// passed in, never read here. Not thread-safe: one thread feeds and releases.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "otlp/ids.h"
#include "store/trace.h"
#include "truth/ground_truth.h"
#include "truth/inbound_record.h"

namespace traceproof::checks {

// One load request's ground truth, as a check's tally takes it (TraceTally::AddRequest).
struct TruthRequest {
  std::uint64_t request_id = 0;
  // Its spans, with the spans of made-up requests in its traces folded in, in recording order;
  // positions[i] is spans[i]'s place in the run's recording order (for evidence in that order).
  std::vector<GroundTruthSpan> spans;
  std::vector<std::uint64_t> positions;
  std::vector<InboundRecord> inbound;  // what reached a mock under its request id
  // The request ids of its spans a mock made up (its own, when no request took them in).
  std::set<std::uint64_t> made_up;
  bool missing = false;  // handed out before every trace of it reached the sink
};

struct TruthJoinOptions {
  // Quiet after a request's last record before it is handed out (its traces all at the sink).
  std::chrono::nanoseconds settle{std::chrono::seconds(2)};
  // Further quiet after which a request is handed out though a trace of it never completed.
  std::chrono::nanoseconds missing_after{std::chrono::seconds(15)};
};

struct TruthJoinCounts {
  std::uint64_t released = 0;  // requests handed out, missing ones included
  std::uint64_t missing = 0;
  std::uint64_t held_peak = 0;  // the most requests held at once
};

class TruthJoiner {
 public:
  using Release = std::function<void(const TruthRequest&)>;
  TruthJoiner(TruthJoinOptions options, Release release);

  void AddSpan(GroundTruthSpan span, Clock::time_point now);
  void AddInbound(InboundRecord record, Clock::time_point now);
  // A trace the sink completed (an update record too): its request may now be whole.
  void AddTrace(const TraceId& id, Clock::time_point now);
  // Hands out the requests that are due at `now`.
  void ReleaseDue(Clock::time_point now);
  // Hands out every request held (the end of the run).
  void Flush();

  std::size_t held_requests() const { return held_.size(); }
  const TruthJoinCounts& counts() const { return counts_; }

 private:
  struct Held {
    TruthRequest request;
    Clock::time_point last{};
    // The traces the sink should complete (its exported spans'), and whether it did yet.
    std::vector<std::pair<TraceId, bool>> exported_traces;
    std::size_t completed = 0;
    bool made_up = false;
    bool published = false;  // a PRODUCER span: held until Flush
  };

  Held& HeldFor(std::uint64_t request_id, Clock::time_point now);
  bool Due(const Held& held, Clock::time_point now, bool& missing) const;
  void Hand(std::uint64_t request_id, bool missing);
  void FoldMadeUp(Held& owner);
  void Unindex(std::uint64_t request_id, const std::vector<GroundTruthSpan>& spans);

  TruthJoinOptions options_;
  Release release_;
  std::unordered_map<std::uint64_t, Held> held_;
  // Every trace id of a held request's spans -> the requests holding spans in it.
  std::unordered_map<TraceId, std::vector<std::uint64_t>, IdHash> by_trace_;
  // Traces the sink completed before any truth of them arrived, with when (dropped after
  // missing_after: spans of the user's own services, never in ground truth).
  std::unordered_map<TraceId, Clock::time_point, IdHash> early_traces_;
  std::unordered_set<std::uint64_t> made_up_ids_;  // of the held requests, those made up
  std::uint64_t next_position_ = 0;
  TruthJoinCounts counts_;
};

}  // namespace traceproof::checks
