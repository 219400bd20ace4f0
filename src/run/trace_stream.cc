#include "run/trace_stream.h"

#include <algorithm>

#include "checks/make_check.h"

namespace traceproof {

std::int64_t RootDurationNs(const Trace& trace) {
  std::int64_t ns = 0;
  for (const SpanView& s : trace.spans)
    if (s.IsRoot()) ns = std::max(ns, s.DurationNs());
  return ns;
}

TraceStream::TraceStream(const std::vector<CheckSpec>& specs, TraceStreamOptions options)
    : specs_(specs),
      options_(std::move(options)),
      joiner_(options_.join, [this](const checks::TruthRequest& request) {
        for (std::size_t i = 0; i < checks_.size(); ++i)
          if (checks_[i]->JoinsTruth()) tallies_[i]->AddRequest(request);
      }) {
  for (const CheckSpec& spec : specs_) {
    checks_.push_back(MakeCheck(spec));
    tallies_.push_back(checks_.back()->NewTally(options_.context));
  }
}

void TraceStream::AddTruth(std::vector<GroundTruthSpan> spans, std::vector<InboundRecord> inbound,
                           Clock::time_point now) {
  // Inbound first: a made-up request id is known before its spans (it is recorded on arrival).
  for (InboundRecord& r : inbound) joiner_.AddInbound(std::move(r), now);
  for (GroundTruthSpan& s : spans) joiner_.AddSpan(std::move(s), now);
}

void TraceStream::JoinRecordedTruth(const RunData& data) {
  const Clock::time_point at{};  // one instant for every record: nothing is due before the flush
  for (const GroundTruthSpan& s : data.truth) joiner_.AddSpan(s, at);
  for (const InboundRecord& r : data.inbound) joiner_.AddInbound(r, at);
  joiner_.Flush();
}

bool TraceStream::ReadsRunTruth() const {
  return std::any_of(checks_.begin(), checks_.end(),
                     [&](const auto& c) { return c->ReadsRunTruth(options_.context); });
}

void TraceStream::Add(const std::vector<std::shared_ptr<const Trace>>& traces) {
  const Clock::time_point now = Clock::now();
  for (const auto& trace : traces) {
    for (const auto& tally : tallies_) tally->Add(*trace);
    joiner_.AddTrace(trace->id, now);
    if (options_.on_trace) options_.on_trace(*trace);
    ++digest_.records;
    if (trace->IsUpdate()) {
      ++digest_.update_records;
      digest_.spans += trace->NewSpanCount();
    } else {
      digest_.spans += trace->spans.size();
      const std::int64_t ns = RootDurationNs(*trace);
      if (ns > digest_.slowest_ns) {
        digest_.slowest_ns = ns;
        digest_.slowest = trace;
      }
    }
    if (options_.keep_recent.count() > 0) KeepRecent(trace, now);
  }
}

void TraceStream::KeepRecent(const std::shared_ptr<const Trace>& trace, Clock::time_point now) {
  std::lock_guard lock(recent_mu_);
  recent_[trace->id] = trace;
  recent_order_.emplace_back(now, trace);
  while (!recent_order_.empty() && (recent_order_.front().first < now - options_.keep_recent ||
                                    recent_order_.size() > options_.max_recent)) {
    const auto& [at, old] = recent_order_.front();
    const auto it = recent_.find(old->id);
    // An update of the same trace may have replaced the entry since: drop only the old one.
    if (it != recent_.end() && it->second == old) recent_.erase(it);
    recent_order_.pop_front();
  }
}

std::shared_ptr<const Trace> TraceStream::Recent(const TraceId& id) const {
  std::lock_guard lock(recent_mu_);
  const auto it = recent_.find(id);
  return it == recent_.end() ? nullptr : it->second;
}

std::vector<CheckResult> TraceStream::Judge(const RunData& data) const {
  std::vector<CheckResult> results;
  for (std::size_t i = 0; i < checks_.size(); ++i) {
    CheckResult r = checks_[i]->Judge(*tallies_[i], data);
    if (r.kind.empty()) r.kind = specs_[i].kind;
    r.pos = specs_[i].pos;
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace traceproof
