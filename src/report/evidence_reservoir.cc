#include "report/evidence_reservoir.h"

#include <algorithm>
#include <map>

#include "report/trace_record_writer.h"
#include "run/trace_stream.h"

namespace traceproof {

EvidenceReservoir::EvidenceReservoir(EvidenceOptions options)
    : options_(options), random_(options.seed) {}

void EvidenceReservoir::Add(const Trace& trace) {
  if (trace.IsUpdate()) return;
  Entry entry{seen_++, nullptr};
  // One copy however many of the three keep it.
  auto kept = [&] {
    if (!entry.trace) entry.trace = std::make_shared<const Trace>(trace);
    return entry;
  };
  const std::int64_t duration_ns = RootDurationNs(trace);
  if (SlowEnough(duration_ns)) KeepSlow(duration_ns, kept());
  if (failing_.size() < options_.failing && TraceLooksFailing(trace)) failing_.push_back(kept());
  // Algorithm R: the k-th trace replaces a random one of the N kept with probability N/k.
  if (sample_.size() < options_.sample) {
    sample_.push_back(kept());
  } else if (options_.sample > 0) {
    const std::uint64_t slot =
        std::uniform_int_distribution<std::uint64_t>(0, entry.order)(random_);
    if (slot < options_.sample) sample_[slot] = kept();
  }
}

bool EvidenceReservoir::SlowEnough(std::int64_t duration_ns) const {
  // Ties keep the earlier trace: a later one must be strictly slower to displace it.
  return slowest_.size() < options_.slowest ||
         (options_.slowest > 0 && duration_ns > slowest_.front().first);
}

void EvidenceReservoir::KeepSlow(std::int64_t duration_ns, Entry entry) {
  auto faster = [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second.order < b.second.order;
  };
  if (slowest_.size() == options_.slowest) {
    std::pop_heap(slowest_.begin(), slowest_.end(), faster);
    slowest_.pop_back();
  }
  slowest_.emplace_back(duration_ns, std::move(entry));
  std::push_heap(slowest_.begin(), slowest_.end(), faster);
}

std::vector<std::shared_ptr<const Trace>> EvidenceReservoir::Kept() const {
  std::map<std::uint64_t, std::shared_ptr<const Trace>> by_order;
  for (const auto& [ns, e] : slowest_) by_order.emplace(e.order, e.trace);
  for (const Entry& e : failing_) by_order.emplace(e.order, e.trace);
  for (const Entry& e : sample_) by_order.emplace(e.order, e.trace);
  std::vector<std::shared_ptr<const Trace>> out;
  out.reserve(by_order.size());
  for (auto& [order, trace] : by_order) out.push_back(trace);
  return out;
}

}  // namespace traceproof
