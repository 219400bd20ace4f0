#include "checks/check.h"

namespace traceproof {

TallyContext TallyContextOf(const RunData& data) {
  TallyContext c;
  c.ground_truth = !data.truth.empty() || !data.inbound.empty();
  c.load_entry_services = data.load_entry_services;
  return c;
}

CheckResult Check::Run(const RunData& data) const {
  const std::unique_ptr<TraceTally> tally = NewTally(TallyContextOf(data));
  for (const auto& trace : data.traces) tally->Add(*trace);
  return Judge(*tally, data);
}

}  // namespace traceproof
