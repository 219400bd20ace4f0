// Arrival schedules for open-loop load: when each request is *meant* to start, computed from
// the phase's rate alone and never from how fast the system answers (wrk2's lesson: a
// generator that waits for answers before scheduling the next request hides the stalls it
// should measure). A schedule is split across share-nothing workers, and across shards (whole
// `traceproof run --shard I/N` processes), without coordination: slot s of S (shard + shards *
// worker, of shards * workers) takes the arrivals whose index mod S is s, so a shard's workers
// together take the indexes that are I mod N, whatever its number of workers. Every slot computes
// the whole schedule from the one seed, the Poisson draws included, so the slots together send
// exactly the schedule one process would: constant, ramping and Poisson phases all split
// exactly, and a merge of shards sees the scenario's schedule (issue 16).
// Not thread-safe: one per worker.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

namespace traceproof {

struct ArrivalPhase {
  enum class Kind { kConstant, kRamping, kPoisson };
  Kind kind = Kind::kConstant;
  double from_per_s = 0;  // constant and poisson: from_per_s is the rate
  double to_per_s = 0;    // ramping only
  std::chrono::nanoseconds duration{0};
  int target = 0;  // which request this phase sends (index into the generator's targets)

  static ArrivalPhase Constant(double rate_per_s, std::chrono::nanoseconds duration);
  static ArrivalPhase Ramping(double from_per_s, double to_per_s,
                              std::chrono::nanoseconds duration);
  static ArrivalPhase Poisson(double rate_per_s, std::chrono::nanoseconds duration);

  // Requests the phase asks for in total (all workers): the integral of its rate.
  double ExpectedCount() const;
};

// Requests `phases` (run one after another) ask for between `from_s` and `to_s` seconds after
// the start of the first: the integral of the rate over that window (0 outside the phases).
double ExpectedCountBetween(const std::vector<ArrivalPhase>& phases, double from_s, double to_s);

struct Arrival {
  std::chrono::nanoseconds at{0};  // intended start, from the start of the first phase
  int phase = 0;
};

class ArrivalSchedule {
 public:
  // `slot` of `slots`: this worker's share (see above); every slot of one schedule gets the same
  // phases and seed.
  ArrivalSchedule(std::vector<ArrivalPhase> phases, int slot, int slots, std::uint64_t seed);
  // The next intended start for this worker, in order; nullopt when every phase is over.
  std::optional<Arrival> Next();

 private:
  // Time within the phase of its k-th arrival (all workers counted), if inside the phase.
  std::optional<double> DeterministicTime(const ArrivalPhase& phase, std::uint64_t k) const;

  // The next arrival of the Poisson stream that is this slot's, if inside the phase.
  std::optional<double> NextPoissonOfSlot(double rate_per_s, double duration_s);

  std::vector<ArrivalPhase> phases_;
  int slot_;
  int slots_;
  std::size_t phase_ = 0;
  double phase_start_s_ = 0;
  std::uint64_t k_ = 0;     // next global arrival index in the phase (Poisson: the next draw's)
  double poisson_t_s_ = 0;  // poisson: time of the last arrival within the phase (all slots')
  std::uint64_t poisson_index_ = 0;  // poisson: draws so far in the phase (all slots')
  std::mt19937_64 rng_;              // one stream for all slots: the same seed gives the same draws
};

}  // namespace traceproof
