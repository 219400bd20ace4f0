#include "load/arrival.h"

#include <algorithm>
#include <cmath>

namespace traceproof {

ArrivalPhase ArrivalPhase::Constant(double rate_per_s, std::chrono::nanoseconds duration) {
  ArrivalPhase p;
  p.kind = Kind::kConstant;
  p.from_per_s = p.to_per_s = rate_per_s;
  p.duration = duration;
  return p;
}

ArrivalPhase ArrivalPhase::Ramping(double from_per_s, double to_per_s,
                                   std::chrono::nanoseconds duration) {
  ArrivalPhase p;
  p.kind = Kind::kRamping;
  p.from_per_s = from_per_s;
  p.to_per_s = to_per_s;
  p.duration = duration;
  return p;
}

ArrivalPhase ArrivalPhase::Poisson(double rate_per_s, std::chrono::nanoseconds duration) {
  ArrivalPhase p = Constant(rate_per_s, duration);
  p.kind = Kind::kPoisson;
  return p;
}

double ArrivalPhase::ExpectedCount() const {
  const double d = std::chrono::duration<double>(duration).count();
  return kind == Kind::kRamping ? (from_per_s + to_per_s) / 2 * d : from_per_s * d;
}

double ExpectedCountBetween(const std::vector<ArrivalPhase>& phases, double from_s, double to_s) {
  double count = 0;
  double start_s = 0;
  for (const ArrivalPhase& p : phases) {
    const double d = std::chrono::duration<double>(p.duration).count();
    const double a = std::max(from_s, start_s) - start_s;
    const double b = std::min(to_s, start_s + d) - start_s;
    start_s += d;
    if (b <= a || d <= 0) continue;
    const double to = p.kind == ArrivalPhase::Kind::kRamping ? p.to_per_s : p.from_per_s;
    const double slope = (to - p.from_per_s) / d;
    // The rate is from + slope * t; its integral from a to b.
    count += p.from_per_s * (b - a) + slope * (b * b - a * a) / 2;
  }
  return count;
}

ArrivalSchedule::ArrivalSchedule(std::vector<ArrivalPhase> phases, int slot, int slots,
                                 std::uint64_t seed)
    : phases_(std::move(phases)),
      slot_(slot),
      slots_(slots < 1 ? 1 : slots),
      k_(static_cast<std::uint64_t>(slot)),
      rng_(seed * 0x9E3779B97F4A7C15ULL) {}

std::optional<double> ArrivalSchedule::DeterministicTime(const ArrivalPhase& phase,
                                                         std::uint64_t k) const {
  const double d = std::chrono::duration<double>(phase.duration).count();
  const double a = phase.from_per_s;
  const double slope = phase.kind == ArrivalPhase::Kind::kRamping ? (phase.to_per_s - a) / d : 0;
  // Arrival k happens when the integral of the rate, a*t + slope*t^2/2, reaches k.
  double t;
  const double kk = static_cast<double>(k);
  if (std::abs(slope) < 1e-12) {
    if (a <= 0) return std::nullopt;
    t = kk / a;
  } else {
    const double disc = a * a + 2 * slope * kk;
    if (disc < 0) return std::nullopt;  // a falling ramp that never reaches k
    t = (-a + std::sqrt(disc)) / slope;
  }
  if (!(t >= 0) || t >= d) return std::nullopt;
  return t;
}

std::optional<double> ArrivalSchedule::NextPoissonOfSlot(double rate_per_s, double duration_s) {
  if (rate_per_s <= 0) return std::nullopt;
  std::exponential_distribution<double> gap(rate_per_s);
  while (true) {
    poisson_t_s_ += gap(rng_);
    if (poisson_t_s_ >= duration_s) return std::nullopt;
    const std::uint64_t index = poisson_index_++;
    if (index % static_cast<std::uint64_t>(slots_) == static_cast<std::uint64_t>(slot_))
      return poisson_t_s_;
  }
}

std::optional<Arrival> ArrivalSchedule::Next() {
  while (phase_ < phases_.size()) {
    const ArrivalPhase& phase = phases_[phase_];
    const double d = std::chrono::duration<double>(phase.duration).count();
    std::optional<double> t;
    if (phase.kind == ArrivalPhase::Kind::kPoisson) {
      // Every slot draws the whole stream and keeps its own share of it: a few ns per arrival
      // of the others, and the union over slots is exactly the one-process schedule.
      t = NextPoissonOfSlot(phase.from_per_s, d);
    } else {
      t = DeterministicTime(phase, k_);
      k_ += static_cast<std::uint64_t>(slots_);
    }
    if (t) {
      Arrival arrival;
      arrival.at = std::chrono::nanoseconds(static_cast<std::int64_t>((phase_start_s_ + *t) * 1e9));
      arrival.phase = static_cast<int>(phase_);
      return arrival;
    }
    phase_start_s_ += d;
    ++phase_;
    k_ = static_cast<std::uint64_t>(slot_);
    poisson_t_s_ = 0;
    poisson_index_ = 0;
  }
  return std::nullopt;
}

}  // namespace traceproof
