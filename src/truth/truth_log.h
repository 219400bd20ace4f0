// Ground truth kept in memory beside the time each span was recorded, for `traceproof serve
// --admin-port`: a `traceproof run` in another process (another container) asks the admin
// endpoint for the spans recorded since its own start (GET /truth?since=), so its checks see
// exactly what the services emitted during that run. The recording time is the serve process's
// wall clock, never the span's own timestamps, so a clock_skew fault cannot move a span out of
// the window; the run reads that clock from GET /stats rather than trusting its own.
// Thread-safe: service threads record, the admin server reads.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "truth/ground_truth.h"

namespace traceproof {

class TruthLog final : public GroundTruthSink {
 public:
  // `also` (not owned, may be null) receives every span too, e.g. the --truth JSONL writer.
  explicit TruthLog(GroundTruthSink* also = nullptr) : also_(also) {}

  void Record(GroundTruthSpan span) noexcept override;
  void RecordInbound(InboundRecord record) noexcept override;
  // Spans recorded at or after `recorded_unix_ns`, in recording order.
  std::vector<GroundTruthSpan> Since(std::uint64_t recorded_unix_ns) const;
  // Inbound records stamped at or after `recorded_unix_ns` (their own time_unix_ns, which is
  // this process's clock), in recording order.
  std::vector<InboundRecord> InboundSince(std::uint64_t recorded_unix_ns) const;
  std::size_t size() const;
  // The clock Record stamps spans with (system clock, ns since the Unix epoch).
  static std::uint64_t NowUnixNs();

 private:
  struct Entry {
    std::uint64_t recorded_unix_ns;
    GroundTruthSpan span;
  };
  GroundTruthSink* const also_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;          // recording order, so recorded_unix_ns never decreases
  std::vector<InboundRecord> inbound_;  // recording order, time_unix_ns made monotonic
};

}  // namespace traceproof
