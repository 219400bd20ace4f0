#include "checks/check.h"

namespace traceproof {

TallyContext TallyContextOf(const RunData& data) {
  TallyContext c;
  c.ground_truth = !data.truth.empty() || !data.inbound.empty();
  c.load_entry_services = data.load_entry_services;
  c.witnesses = !data.inbound.empty();
  return c;
}

void FeedTruth(const RunData& data, const std::vector<TraceTally*>& tallies) {
  checks::TruthJoiner joiner({}, [&](const checks::TruthRequest& request) {
    for (TraceTally* tally : tallies) tally->AddRequest(request);
  });
  // One instant for every record: nothing is due before the flush.
  const Clock::time_point at{};
  for (const auto& trace : data.traces) joiner.AddTrace(trace->id, at);
  for (const GroundTruthSpan& s : data.truth) joiner.AddSpan(s, at);
  for (const InboundRecord& r : data.inbound) joiner.AddInbound(r, at);
  joiner.Flush();
}

CheckResult Check::Run(const RunData& data) const {
  const std::unique_ptr<TraceTally> tally = NewTally(TallyContextOf(data));
  for (const auto& trace : data.traces) tally->Add(*trace);
  if (JoinsTruth()) FeedTruth(data, {tally.get()});
  return Judge(*tally, data);
}

}  // namespace traceproof
