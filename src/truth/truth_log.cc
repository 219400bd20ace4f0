#include "truth/truth_log.h"

#include <algorithm>
#include <chrono>

namespace traceproof {

std::uint64_t TruthLog::NowUnixNs() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

void TruthLog::Record(GroundTruthSpan span) noexcept {
  if (also_) also_->Record(span);
  std::lock_guard lock(mu_);
  // Stamped under the lock, so the stamps are in the vector's order even when the system clock
  // steps back: Since() can then bisect.
  std::uint64_t now = NowUnixNs();
  if (!entries_.empty()) now = std::max(now, entries_.back().recorded_unix_ns);
  entries_.push_back({now, std::move(span)});
}

std::vector<GroundTruthSpan> TruthLog::Since(std::uint64_t recorded_unix_ns) const {
  std::lock_guard lock(mu_);
  auto first = std::partition_point(entries_.begin(), entries_.end(), [&](const Entry& e) {
    return e.recorded_unix_ns < recorded_unix_ns;
  });
  std::vector<GroundTruthSpan> out;
  out.reserve(static_cast<std::size_t>(entries_.end() - first));
  for (auto it = first; it != entries_.end(); ++it) out.push_back(it->span);
  return out;
}

void TruthLog::RecordInbound(InboundRecord record) noexcept {
  if (also_) also_->RecordInbound(record);
  std::lock_guard lock(mu_);
  if (!inbound_.empty())
    record.time_unix_ns = std::max(record.time_unix_ns, inbound_.back().time_unix_ns);
  inbound_.push_back(std::move(record));
}

std::vector<InboundRecord> TruthLog::InboundSince(std::uint64_t recorded_unix_ns) const {
  std::lock_guard lock(mu_);
  auto first = std::partition_point(inbound_.begin(), inbound_.end(), [&](const InboundRecord& r) {
    return r.time_unix_ns < recorded_unix_ns;
  });
  return std::vector<InboundRecord>(first, inbound_.end());
}

std::size_t TruthLog::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace traceproof
