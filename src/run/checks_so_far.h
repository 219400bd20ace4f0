// A look at the checks while the load still runs, for the progress line ("failing so far"):
// every few seconds the scenario's checks run over a sample of requests that have settled,
// with the traces the sink holds for them. A request has settled when its root span started
// inside the look-back window (so none of its spans were recorded before the window opened)
// and nothing of it was recorded for `settle` (over seven times the services' 200 ms export
// delay, so the sink has its spans). It is not the verdict: only checks whose failure on a
// sample means the whole run fails (SoundOnSample in checks/check_spec.h) are judged, and a sample
// can miss what the whole run shows. The runner uses it only where spans reach the sink promptly:
// services in process, no Collector (its batching and tail-sampling wait would make settled
// requests look broken), no broker restart. A clock_skew fault on the root's own service shifts its
// start time, so such a request may be judged with spans from before the window missing from its
// ground truth.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checks/check.h"
#include "scenario/scenario.h"
#include "store/trace_store.h"
#include "truth/ground_truth.h"

namespace traceproof {

struct ChecksSoFar {
  std::size_t requests = 0;          // in the sample
  std::vector<std::string> failing;  // the kind of each failing check, in scenario order
};

struct ChecksSoFarOptions {
  std::chrono::milliseconds every{2000};      // between looks
  std::chrono::milliseconds look_back{4000};  // the window requests must start in
  std::chrono::milliseconds settle{1500};     // quiet time before a request is judged
  std::size_t max_requests = 500;             // per look
  // Where traces the store already let go of are (a streaming run releases each completed
  // trace, run/trace_stream.h); looked at before the store. May be empty.
  std::function<std::shared_ptr<const Trace>(const TraceId&)> recent;
  // Set at every Tick to the first ground-truth position a later look may visit: the run may
  // let the recorder forget the spans before it. May be null.
  std::atomic<std::size_t>* keep_from = nullptr;
};

// A check the sampler judges, and the kind its failure is reported as.
struct SampledCheck {
  std::string kind;
  std::unique_ptr<Check> check;
};

// The scenario's checks whose failure on a sample means the run fails, built from their specs,
// in scenario order.
std::vector<SampledCheck> ChecksSoundOnSample(const Scenario& scenario);

class ChecksSoFarSampler {
 public:
  // Judges ChecksSoundOnSample(scenario) with the scenario's head sampler.
  ChecksSoFarSampler(const Scenario& scenario, const GroundTruthRecorder& truth, TraceStore& store,
                     ChecksSoFarOptions options = {});
  // Judges `checks` (tests give doubles), with the services' head sampler `sampling`.
  ChecksSoFarSampler(std::vector<SampledCheck> checks, const HeadSamplingSpec& sampling,
                     const GroundTruthRecorder& truth, TraceStore& store,
                     ChecksSoFarOptions options = {});

  // Call about once a second from one thread; returns a new look every `every`, once the
  // look-back window is filled. `now_unix_ns` is the services' clock (span start times).
  std::optional<ChecksSoFar> Tick(Clock::time_point now, std::uint64_t now_unix_ns);

 private:
  struct Mark {
    Clock::time_point at;
    std::uint64_t unix_ns = 0;
    std::size_t position = 0;  // ground truth recorded by then
  };
  const Mark* LatestAtOrBefore(Clock::time_point t) const;
  ChecksSoFar Look(const Mark& from, const Mark& settled, const Mark& end);

  std::vector<SampledCheck> checks_;
  std::string head_sampler_;
  std::optional<double> head_sampler_ratio_;
  const GroundTruthRecorder& truth_;
  TraceStore& store_;
  ChecksSoFarOptions options_;
  std::deque<Mark> marks_;
  std::optional<Clock::time_point> last_look_;
};

}  // namespace traceproof
