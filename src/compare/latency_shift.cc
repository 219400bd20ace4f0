#include "compare/latency_shift.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace traceproof {
namespace {

constexpr std::size_t kMinBlocks = 4;
constexpr std::uint32_t kMinBlockMs = 1000;
constexpr std::size_t kSpansPerBlock = 100;

// Spans (thinned evenly to max_spans) grouped into blocks of consecutive time: at least a
// second each, and long enough to hold ~kSpansPerBlock spans on average.
std::vector<std::vector<std::int64_t>> Blocks(const DurationSample& s, std::size_t max_spans) {
  const std::size_t n = std::min(s.duration_ns.size(), s.start_ms.size());
  if (n == 0) return {};
  const std::size_t stride = n > max_spans ? (n + max_spans - 1) / max_spans : 1;
  const auto [lo, hi] = std::minmax_element(s.start_ms.begin(), s.start_ms.begin() + n);
  const std::uint64_t span_ms = *hi - *lo + 1;
  const std::uint64_t kept = (n + stride - 1) / stride;
  const std::uint64_t block_ms =
      std::max<std::uint64_t>(kMinBlockMs, (span_ms * kSpansPerBlock + kept - 1) / kept);
  std::vector<std::vector<std::int64_t>> blocks(span_ms / block_ms + 1);
  for (std::size_t i = 0; i < n; i += stride)
    blocks[(s.start_ms[i] - *lo) / block_ms].push_back(s.duration_ns[i]);
  std::erase_if(blocks, [](const auto& b) { return b.empty(); });
  return blocks;
}

// Every span its own block: the fallback for runs too short to cut into kMinBlocks.
std::vector<std::vector<std::int64_t>> Singles(const DurationSample& s, std::size_t max_spans) {
  const std::size_t n = s.duration_ns.size();
  const std::size_t stride = n > max_spans ? (n + max_spans - 1) / max_spans : 1;
  std::vector<std::vector<std::int64_t>> out;
  for (std::size_t i = 0; i < n; i += stride) out.push_back({s.duration_ns[i]});
  return out;
}

std::uint64_t Fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// mt19937_64's output is fixed by the standard; uniform_int_distribution's mapping is not, so
// the draw in [0, n) is done here (multiply-high) to give the same answer on every library.
std::size_t Draw(std::mt19937_64& rng, std::size_t n) {
  return static_cast<std::size_t>((static_cast<unsigned __int128>(rng()) * n) >> 64);
}

// The statistic of a set of blocks: the median of the blocks' percentiles (`per_block`), or
// with single-span blocks the percentile of all of them.
struct Statistic {
  bool by_block;
  double p;
  std::int64_t operator()(std::vector<std::int64_t>& values) const {
    return PercentileNs(values, by_block ? 50 : p);
  }
};

// What one block contributes: its percentile (by block), or its one span.
std::vector<std::int64_t> BlockValues(std::vector<std::vector<std::int64_t>> blocks,
                                      const Statistic& stat) {
  std::vector<std::int64_t> values;
  for (auto& b : blocks) values.push_back(stat.by_block ? PercentileNs(b, stat.p) : b.front());
  return values;
}

std::int64_t Replicate(const std::vector<std::int64_t>& values, const Statistic& stat,
                       std::mt19937_64& rng, std::vector<std::int64_t>& scratch) {
  scratch.clear();
  for (std::size_t i = 0; i < values.size(); ++i)
    scratch.push_back(values[Draw(rng, values.size())]);
  return stat(scratch);
}

}  // namespace

std::int64_t PercentileNs(std::vector<std::int64_t>& values, double p) {
  if (values.empty()) return 0;
  const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  const std::size_t k =
      std::min(values.size() - 1, static_cast<std::size_t>(std::max(1.0, rank)) - 1);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

LatencyShift CompareLatency(const DurationSample& base, const DurationSample& current,
                            std::string_view name, const ShiftOptions& options) {
  LatencyShift r;
  r.base_spans = base.duration_ns.size();
  r.current_spans = current.duration_ns.size();
  std::vector<std::int64_t> all = base.duration_ns;
  r.base_ns = PercentileNs(all, options.percentile);
  all = current.duration_ns;
  r.current_ns = PercentileNs(all, options.percentile);
  r.delta_ns = r.current_ns - r.base_ns;
  r.typical_delta_ns = r.low_ns = r.high_ns = r.delta_ns;
  if (r.base_spans < 2 || r.current_spans < 2 || options.resamples < 10) return r;

  auto base_blocks = Blocks(base, options.max_spans);
  auto current_blocks = Blocks(current, options.max_spans);
  const Statistic stat{std::min(base_blocks.size(), current_blocks.size()) >= kMinBlocks,
                       options.percentile};
  if (stat.by_block) {
    r.blocks = std::min(base_blocks.size(), current_blocks.size());
  } else {
    base_blocks = Singles(base, options.max_spans);
    current_blocks = Singles(current, options.max_spans);
  }
  const std::vector<std::int64_t> base_values = BlockValues(std::move(base_blocks), stat);
  const std::vector<std::int64_t> current_values = BlockValues(std::move(current_blocks), stat);
  std::vector<std::int64_t> scratch = base_values;
  const std::int64_t typical_base = stat(scratch);
  scratch = current_values;
  r.typical_delta_ns = stat(scratch) - typical_base;

  std::mt19937_64 rng(options.seed ^ Fnv1a(name));
  std::vector<std::int64_t> deltas;
  deltas.reserve(static_cast<std::size_t>(options.resamples));
  for (int i = 0; i < options.resamples; ++i) {
    const std::int64_t b = Replicate(base_values, stat, rng, scratch);
    const std::int64_t c = Replicate(current_values, stat, rng, scratch);
    deltas.push_back(c - b);
  }
  std::sort(deltas.begin(), deltas.end());
  const double tail = (1 - options.confidence) / 2;
  auto at = [&](double q) {
    const auto i = static_cast<std::size_t>(
        std::clamp(q * static_cast<double>(deltas.size()), 0.0, double(deltas.size() - 1)));
    return deltas[i];
  };
  r.low_ns = at(tail);
  r.high_ns = at(1 - tail);
  r.significant = r.low_ns > 0 || r.high_ns < 0;
  return r;
}

}  // namespace traceproof
