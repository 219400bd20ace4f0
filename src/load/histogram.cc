// HdrHistogram's layout with lowest discernible value 1 ns and 3 significant digits: 2048
// sub-buckets per power-of-two bucket, the lower half of every bucket but the first unused, so
// a value's index is two shifts and a count-leading-zeros. Bucket count covers one hour.
#include "load/histogram.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>

namespace traceproof {
namespace {

constexpr int kSubBucketHalfCountMagnitude = 10;  // 2 * 10^3 rounded up to 2^11, halved
constexpr std::uint64_t kSubBucketHalfCount = 1ULL << kSubBucketHalfCountMagnitude;
constexpr std::uint64_t kSubBucketCount = kSubBucketHalfCount * 2;
constexpr std::uint64_t kSubBucketMask = kSubBucketCount - 1;
constexpr int kLeadingZeroCountBase = 64 - kSubBucketHalfCountMagnitude - 1;

constexpr int BucketCount() {
  // Smallest number of buckets whose top value reaches the highest trackable value.
  std::uint64_t smallest_untrackable = kSubBucketCount;
  int buckets = 1;
  while (smallest_untrackable <= Histogram::kHighestTrackableNs) {
    smallest_untrackable <<= 1;
    ++buckets;
  }
  return buckets;
}
constexpr int kBucketCount = BucketCount();
constexpr std::size_t kCountsLength = (kBucketCount + 1) * kSubBucketHalfCount;

int BucketIndex(std::uint64_t value) {
  return kLeadingZeroCountBase - std::countl_zero(value | kSubBucketMask);
}

constexpr std::string_view kMagic = "traceproof-hist v1";

bool ParseU64(std::string_view& text, std::uint64_t& out) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.remove_prefix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end == text.data()) return false;
  text.remove_prefix(end - text.data());
  return true;
}

}  // namespace

Histogram::Histogram() : counts_(kCountsLength, 0) {}

std::size_t Histogram::IndexOf(std::uint64_t value) {
  const int bucket = BucketIndex(value);
  const std::uint64_t sub_bucket = value >> bucket;
  return (static_cast<std::size_t>(bucket + 1) << kSubBucketHalfCountMagnitude) +
         (sub_bucket - kSubBucketHalfCount);
}

std::uint64_t Histogram::ValueAtIndex(std::size_t index) {
  int bucket = static_cast<int>(index >> kSubBucketHalfCountMagnitude) - 1;
  std::uint64_t sub_bucket = (index & (kSubBucketHalfCount - 1)) + kSubBucketHalfCount;
  if (bucket < 0) {
    sub_bucket -= kSubBucketHalfCount;
    bucket = 0;
  }
  return sub_bucket << bucket;
}

std::uint64_t Histogram::LowestEquivalent(std::uint64_t value) {
  const int bucket = BucketIndex(value);
  return (value >> bucket) << bucket;
}

std::uint64_t Histogram::HighestEquivalent(std::uint64_t value) {
  const int bucket = BucketIndex(value);
  const std::uint64_t sub_bucket = value >> bucket;
  const int adjusted = sub_bucket >= kSubBucketCount ? bucket + 1 : bucket;
  return LowestEquivalent(value) + (1ULL << adjusted) - 1;
}

std::uint64_t Histogram::MedianEquivalent(std::uint64_t value) {
  const int bucket = BucketIndex(value);
  return LowestEquivalent(value) + ((1ULL << bucket) >> 1);
}

void Histogram::Record(std::uint64_t value, std::uint64_t count) {
  if (count == 0) return;
  if (value > kHighestTrackableNs) {
    value = kHighestTrackableNs;
    saturated_ += count;
  }
  counts_[IndexOf(value)] += count;
  if (total_ == 0 || value < min_) min_ = value;
  if (value > max_) max_ = value;
  total_ += count;
}

void Histogram::Merge(const Histogram& other) {
  if (other.total_ == 0) return;
  for (std::size_t i = 0; i < kCountsLength; ++i) counts_[i] += other.counts_[i];
  if (total_ == 0 || other.min_ < min_) min_ = other.min_;
  max_ = std::max(max_, other.max_);
  total_ += other.total_;
  saturated_ += other.saturated_;
}

void Histogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = saturated_ = min_ = max_ = 0;
}

double Histogram::Mean() const {
  if (total_ == 0) return 0;
  double sum = 0;
  for (std::size_t i = 0; i < kCountsLength; ++i)
    if (counts_[i]) sum += static_cast<double>(counts_[i]) * MedianEquivalent(ValueAtIndex(i));
  return sum / static_cast<double>(total_);
}

double Histogram::StdDev() const {
  if (total_ == 0) return 0;
  const double mean = Mean();
  double sum = 0;
  for (std::size_t i = 0; i < kCountsLength; ++i) {
    if (!counts_[i]) continue;
    const double d = static_cast<double>(MedianEquivalent(ValueAtIndex(i))) - mean;
    sum += d * d * static_cast<double>(counts_[i]);
  }
  return std::sqrt(sum / static_cast<double>(total_));
}

std::uint64_t Histogram::ValueAtPercentile(double percentile) const {
  if (total_ == 0) return 0;
  percentile = std::clamp(percentile, 0.0, 100.0);
  // HdrHistogram's rank: the count at the percentile rounded to nearest, at least one sample.
  auto target = static_cast<std::uint64_t>(percentile / 100.0 * static_cast<double>(total_) + 0.5);
  target = std::max<std::uint64_t>(target, 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < kCountsLength; ++i) {
    running += counts_[i];
    if (running >= target) return std::min(HighestEquivalent(ValueAtIndex(i)), max_);
  }
  return max_;
}

std::string Histogram::Serialize() const {
  std::string out = fmt::format("{} {} {} {} {}\n", kMagic, total_, saturated_, Min(), Max());
  for (std::size_t i = 0; i < kCountsLength; ++i)
    if (counts_[i]) out += fmt::format("{}:{}\n", i, counts_[i]);
  return out;
}

std::optional<Histogram> Histogram::Deserialize(std::string_view text) {
  if (text.substr(0, kMagic.size()) != kMagic) return std::nullopt;
  text.remove_prefix(kMagic.size());
  std::uint64_t total = 0, saturated = 0, min = 0, max = 0;
  if (!ParseU64(text, total) || !ParseU64(text, saturated) || !ParseU64(text, min) ||
      !ParseU64(text, max))
    return std::nullopt;
  Histogram h;
  std::uint64_t sum = 0;
  for (;;) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.remove_prefix(1);
    if (text.empty()) break;
    std::uint64_t index = 0, count = 0;
    if (!ParseU64(text, index) || text.empty() || text.front() != ':') return std::nullopt;
    text.remove_prefix(1);
    if (!ParseU64(text, count) || index >= kCountsLength) return std::nullopt;
    if (count > UINT64_MAX - sum) return std::nullopt;
    sum += count;
    h.counts_[index] += count;
  }
  // The header must agree with the body, or the text was edited or truncated.
  if (sum != total || saturated > total || (total && (min > max || max > kHighestTrackableNs)))
    return std::nullopt;
  if (total && (h.counts_[IndexOf(min)] == 0 || h.counts_[IndexOf(max)] == 0)) return std::nullopt;
  h.total_ = total;
  h.saturated_ = saturated;
  h.min_ = min;
  h.max_ = max;
  return h;
}

std::string Histogram::ToPercentileText(int ticks_per_half_distance) const {
  std::string out = fmt::format("{:>12} {:>14} {:>10} {:>14}\n\n", "Value", "Percentile",
                                "TotalCount", "1/(1-Percentile)");
  if (total_ == 0) return out;
  ticks_per_half_distance = std::max(ticks_per_half_distance, 1);
  // Percentile steps halve the remaining distance to 100 every `ticks` lines, as HdrHistogram.
  double percentile = 0;
  std::uint64_t running = 0;
  std::size_t index = 0;
  for (;;) {
    const std::uint64_t value = ValueAtPercentile(percentile);
    while (index < kCountsLength && ValueAtIndex(index) <= value) running += counts_[index++];
    const double p = percentile / 100.0;
    if (p >= 1.0 || value >= max_) {
      out += fmt::format("{:12.3f} {:14.12f} {:10d} {:>14}\n", max_ / 1e6, 1.0, total_, "inf");
      break;
    }
    out += fmt::format("{:12.3f} {:14.12f} {:10d} {:14.2f}\n", value / 1e6, p, running,
                       1.0 / (1.0 - p));
    const double half_distance =
        std::pow(2, std::floor(std::log2(100.0 / (100.0 - percentile))) + 1);
    percentile += 100.0 / (half_distance * ticks_per_half_distance);
  }
  out += fmt::format("#[Mean    = {:12.3f}, StdDeviation   = {:12.3f}]\n", Mean() / 1e6,
                     StdDev() / 1e6);
  out += fmt::format("#[Max     = {:12.3f}, Total count    = {:12d}]\n", max_ / 1e6, total_);
  return out;
}

}  // namespace traceproof
