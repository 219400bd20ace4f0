#include "run/checks_so_far.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "checks/make_check.h"
#include "otlp/ids.h"

namespace traceproof {

namespace {

// The recorder's lock is held while a chunk is visited; services record spans under the same
// lock, so a look never holds it for long.
constexpr std::size_t kChunk = 8192;

void VisitInChunks(const GroundTruthRecorder& truth, std::size_t from, std::size_t to,
                   const std::function<void(std::size_t, const GroundTruthSpan&)>& visit) {
  for (std::size_t begin = from; begin < to; begin += kChunk)
    truth.Visit(begin, std::min(to, begin + kChunk), visit);
}

}  // namespace

std::vector<SampledCheck> ChecksSoundOnSample(const Scenario& scenario) {
  std::vector<SampledCheck> checks;
  for (const CheckSpec& spec : scenario.checks)
    if (SoundOnSample(spec)) checks.push_back(SampledCheck{spec.kind, MakeCheck(spec)});
  return checks;
}

ChecksSoFarSampler::ChecksSoFarSampler(const Scenario& scenario, const GroundTruthRecorder& truth,
                                       TraceStore& store, ChecksSoFarOptions options)
    : ChecksSoFarSampler(ChecksSoundOnSample(scenario), scenario.sampling, truth, store, options) {}

ChecksSoFarSampler::ChecksSoFarSampler(std::vector<SampledCheck> checks,
                                       const HeadSamplingSpec& sampling,
                                       const GroundTruthRecorder& truth, TraceStore& store,
                                       ChecksSoFarOptions options)
    : checks_(std::move(checks)),
      head_sampler_(sampling.sampler),
      head_sampler_ratio_(sampling.ratio),
      truth_(truth),
      store_(store),
      options_(options) {}

const ChecksSoFarSampler::Mark* ChecksSoFarSampler::LatestAtOrBefore(Clock::time_point t) const {
  const Mark* found = nullptr;
  for (const Mark& m : marks_) {
    if (m.at > t) break;
    found = &m;
  }
  return found;
}

std::optional<ChecksSoFar> ChecksSoFarSampler::Tick(Clock::time_point now,
                                                    std::uint64_t now_unix_ns) {
  marks_.push_back(Mark{now, now_unix_ns, truth_.size()});
  // Keep one mark at or before the look-back window's start, none older.
  while (marks_.size() > 1 && marks_[1].at <= now - options_.look_back) marks_.pop_front();
  if (options_.keep_from) options_.keep_from->store(marks_.front().position);
  if (last_look_ && now - *last_look_ < options_.every) return std::nullopt;
  const Mark* from = LatestAtOrBefore(now - options_.look_back);
  const Mark* settled = LatestAtOrBefore(now - options_.settle);
  if (!from || !settled) return std::nullopt;  // not enough of the run yet
  last_look_ = now;
  return Look(*from, *settled, marks_.back());
}

ChecksSoFar ChecksSoFarSampler::Look(const Mark& from, const Mark& settled, const Mark& end) {
  struct Seen {
    bool root_in_window = false;  // a root span that started after the window opened
    bool active = false;          // something recorded after `settled`
  };
  std::unordered_map<std::uint64_t, Seen> requests;
  VisitInChunks(truth_, from.position, end.position,
                [&](std::size_t position, const GroundTruthSpan& s) {
                  Seen& seen = requests[s.request_id];
                  if (position >= settled.position) seen.active = true;
                  if (!s.expected_parent_span_id.IsValid() && s.start_unix_ns >= from.unix_ns)
                    seen.root_in_window = true;
                });
  std::vector<std::uint64_t> candidates;
  for (const auto& [id, seen] : requests)
    if (seen.root_in_window && !seen.active) candidates.push_back(id);
  std::sort(candidates.begin(), candidates.end());  // ids are random: an unbiased sample
  if (candidates.size() > options_.max_requests) candidates.resize(options_.max_requests);
  const std::unordered_set<std::uint64_t> sample(candidates.begin(), candidates.end());

  RunData data;
  std::unordered_set<TraceId, IdHash> trace_ids;
  VisitInChunks(truth_, from.position, settled.position,
                [&](std::size_t, const GroundTruthSpan& s) {
                  if (!sample.count(s.request_id)) return;
                  data.truth.push_back(s);
                  if (s.exported) trace_ids.insert(s.trace_id);
                });
  for (const TraceId& id : trace_ids) {
    auto trace = options_.recent ? options_.recent(id) : nullptr;
    if (!trace) trace = store_.Peek(id);
    if (trace) data.traces.push_back(std::move(trace));
  }
  data.head_sampler = head_sampler_;
  data.head_sampler_ratio = head_sampler_ratio_;

  ChecksSoFar look;
  look.requests = sample.size();
  if (sample.empty()) return look;
  for (const SampledCheck& c : checks_)
    if (!c.check->Run(data).passed) look.failing.push_back(c.kind);
  return look;
}

}  // namespace traceproof
