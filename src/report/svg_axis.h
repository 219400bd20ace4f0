// Axis arithmetic shared by the report's hand-made SVG (waterfalls, charts): "nice" tick
// values (1, 2, 5 times a power of ten) for a linear axis, decades for a log one, and
// coordinates printed short. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

namespace traceproof {

// Ticks covering [lo, hi] at a step of 1, 2 or 5 × 10^k, about `target` of them; {lo} when
// the range is empty.
std::vector<double> NiceTicks(double lo, double hi, int target);

// 1, 2, 5 × each power of ten within [lo, hi] (lo > 0), thinned to decades when there are many.
std::vector<double> LogTicks(double lo, double hi);

// A coordinate with one decimal and no trailing ".0" ("12", "12.5").
std::string Coord(double v);

}  // namespace traceproof
