#include "compare/latency_shift.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace traceproof {
namespace {

// Spans grouped into blocks of consecutive time. At least ~20 blocks when the run allows, so
// a short run (or one operation seen only in its first seconds) still resamples something.
std::vector<std::vector<std::int64_t>> Blocks(const DurationSample& s, std::size_t max_spans) {
  const std::size_t n = s.duration_ns.size();
  const std::size_t stride = n > max_spans ? (n + max_spans - 1) / max_spans : 1;
  std::uint32_t first = UINT32_MAX, last = 0;
  for (std::uint32_t t : s.start_ms) {
    first = std::min(first, t);
    last = std::max(last, t);
  }
  const std::uint32_t span_ms = n ? last - first : 0;
  const std::uint32_t block_ms =
      std::max<std::uint32_t>(1, std::min<std::uint32_t>(1000, span_ms / 20));
  std::vector<std::vector<std::int64_t>> blocks(n ? span_ms / block_ms + 1 : 0);
  for (std::size_t i = 0; i < n; i += stride) {
    const std::uint32_t t = i < s.start_ms.size() ? s.start_ms[i] : first;
    blocks[(t - first) / block_ms].push_back(s.duration_ns[i]);
  }
  std::erase_if(blocks, [](const auto& b) { return b.empty(); });
  // Too few blocks to resample (everything in one millisecond): each span is its own block.
  if (blocks.size() < 2) {
    std::vector<std::vector<std::int64_t>> single;
    for (const auto& b : blocks)
      for (std::int64_t v : b) single.push_back({v});
    return single;
  }
  return blocks;
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

std::int64_t Replicate(const std::vector<std::vector<std::int64_t>>& blocks, double p,
                       std::mt19937_64& rng, std::vector<std::int64_t>& scratch) {
  scratch.clear();
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const auto& b = blocks[Draw(rng, blocks.size())];
    scratch.insert(scratch.end(), b.begin(), b.end());
  }
  return PercentileNs(scratch, p);
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
  r.low_ns = r.high_ns = r.delta_ns;
  if (r.base_spans < 2 || r.current_spans < 2 || options.resamples < 10) return r;

  const auto base_blocks = Blocks(base, options.max_spans);
  const auto current_blocks = Blocks(current, options.max_spans);
  std::mt19937_64 rng(options.seed ^ Fnv1a(name));
  std::vector<std::int64_t> deltas, scratch;
  deltas.reserve(static_cast<std::size_t>(options.resamples));
  for (int i = 0; i < options.resamples; ++i) {
    const std::int64_t b = Replicate(base_blocks, options.percentile, rng, scratch);
    const std::int64_t c = Replicate(current_blocks, options.percentile, rng, scratch);
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
