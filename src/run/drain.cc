#include "run/drain.h"

#include <thread>

namespace traceproof {

DrainResult DrainUntilSettled(const DrainProbes& probes, const DrainOptions& options) {
  using Clock = std::chrono::steady_clock;
  const auto begin = Clock::now();
  std::uint64_t last = probes.moved();
  auto quiet_since = begin;
  DrainResult r;
  while (Clock::now() - begin < options.max && !(options.stop && options.stop->load())) {
    std::this_thread::sleep_for(options.poll);
    if (options.tick) options.tick();
    const std::uint64_t now = probes.moved();
    if (now != last) {
      last = now;
      quiet_since = Clock::now();
    }
    const auto quiet = Clock::now() - quiet_since;
    if (probes.all_arrived && probes.all_arrived()) {
      r.settled = true;
      break;
    }
    const std::optional<bool> holds =
        probes.holds_spans ? probes.holds_spans() : std::optional<bool>(false);
    const bool settled = holds.has_value() ? !*holds && quiet >= options.quiet
                                           : options.quiet_when_unknown.has_value() &&
                                                 quiet >= *options.quiet_when_unknown;
    if (settled) {
      r.settled = true;
      break;
    }
  }
  r.took = Clock::now() - begin;
  return r;
}

bool CollectorHoldsNothing(const CollectorCounters& since,
                           std::optional<std::uint64_t> spans_per_trace) {
  if (since.exporter_queue_size != 0) return false;
  const std::uint64_t decided = since.tail_traces_sampled + since.tail_traces_not_sampled +
                                since.tail_traces_dropped_too_early;
  if (since.tail_sampling && since.tail_new_traces > decided) return false;
  std::uint64_t out = since.exporter_sent_spans + since.exporter_send_failed_spans +
                      since.exporter_enqueue_failed_spans;
  if (since.tail_sampling) {
    if (!spans_per_trace) return true;
    out += (since.tail_traces_not_sampled + since.tail_traces_dropped_too_early) * *spans_per_trace;
  }
  return since.receiver_accepted_spans <= out;
}

}  // namespace traceproof
