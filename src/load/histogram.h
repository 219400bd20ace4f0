// A log-linear latency histogram in the HdrHistogram layout (3 significant digits, 1 ns to one
// hour), written by hand only because Debian packages no HdrHistogram for C++. The load
// generator keeps one per worker thread and merges them at the end; `traceproof run` serializes
// them under histograms/ so runs can be merged and re-read later. Values are nanoseconds.
// Recording is O(1) and allocation-free. Not thread-safe: one writer, merge afterwards.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace traceproof {

class Histogram {
 public:
  static constexpr std::uint64_t kHighestTrackableNs = 3'600'000'000'000ULL;  // one hour

  Histogram();

  // Values above one hour are recorded as one hour and counted in saturated().
  void Record(std::uint64_t value_ns, std::uint64_t count = 1);
  void Merge(const Histogram& other);
  void Reset();

  std::uint64_t TotalCount() const { return total_; }
  std::uint64_t Saturated() const { return saturated_; }
  // Exact extremes as recorded (0 when empty).
  std::uint64_t Min() const { return total_ ? min_ : 0; }
  std::uint64_t Max() const { return max_; }
  double Mean() const;
  double StdDev() const;
  // The highest value equivalent (within 3 significant digits) to the value at `percentile`
  // (0..100), as HdrHistogram reports it; 0 when empty.
  std::uint64_t ValueAtPercentile(double percentile) const;

  // Compact text: "traceproof-hist v1 <total> <saturated> <min> <max>" then "index:count" pairs
  // for non-empty buckets. Deserialize returns nullopt for anything it does not recognise; it
  // never trusts counts or indexes from the text.
  std::string Serialize() const;
  static std::optional<Histogram> Deserialize(std::string_view text);

  // HdrHistogram's percentile distribution table (Value in ms, Percentile, TotalCount,
  // 1/(1-Percentile)), readable by its plotters.
  std::string ToPercentileText(int ticks_per_half_distance = 5) const;

  // Layout, exposed for tests.
  static std::size_t IndexOf(std::uint64_t value_ns);
  static std::uint64_t LowestEquivalent(std::uint64_t value_ns);
  static std::uint64_t HighestEquivalent(std::uint64_t value_ns);

 private:
  static std::uint64_t ValueAtIndex(std::size_t index);
  static std::uint64_t MedianEquivalent(std::uint64_t value_ns);

  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  std::uint64_t saturated_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace traceproof
