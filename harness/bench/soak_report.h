// What `traceproof bench soak` prints and concludes: the RSS curve reduced to the figures the
// issue's acceptance names (RSS at the reference point, at the end of the load, growth between
// them, peak), mean CPU, the span accounting, the checks, and one verdict line naming every
// criterion that failed. Plain functions on stdout; call from one thread.
#pragma once

#include <cstdint>
#include <vector>

#include "bench/soak_accounting.h"
#include "bench/soak_sampler.h"
#include "run/run_outcome.h"

namespace traceproof {

struct RssFigures {
  double ref_target_s = 0;  // minute 1, or 1/3 of a run shorter than 3 minutes
  SoakSample start;         // the first sample
  SoakSample ref;           // the first sample at or after ref_target_s
  SoakSample end;           // the last sample of the load
  std::uint64_t peak_bytes = 0;
  double growth_pct = 0;        // end over ref
  double load_cpu_pct = 0;      // mean over the load
  double overall_cpu_pct = 0;   // mean over every sample
  bool enough_samples = false;  // a reference and a later end exist
};

RssFigures AnalyzeRss(const std::vector<SoakSample>& samples, double duration_s);

struct SoakVerdictInput {
  const RssFigures& rss;
  const SpanAccount& spans;
  const RunOutcome& outcome;
  double max_growth_pct = 5;
  bool report_only_growth = false;
};

void PrintSoakHeader(bool services, double rate_per_s, int spans_per_request, int spans_per_trace,
                     double duration_s);
// Prints the report; true when the soak passed.
bool PrintSoakReport(const std::vector<SoakSample>& samples, const SoakVerdictInput& in);

}  // namespace traceproof
