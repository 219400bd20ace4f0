// The OpenTelemetry Collector's own metrics, as its Prometheus endpoint serves them
// (service.telemetry.metrics), turned into the counters a run reports: spans its receivers
// accepted and refused, spans its exporters sent or failed to send, spans the tail sampler
// decided not to keep, the exporter queue, memory-limiter refusals. The runner scrapes them
// during the drain (to know when the Collector holds nothing) and at the end (for the hop
// counters that the throughput check reconciles). Plain functions, no state: thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace traceproof {

// One sample of Prometheus text exposition: `name{label="value",...} 12`.
struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Parses Prometheus text format 0.0.4; comment and malformed lines are skipped.
std::vector<PromSample> ParsePrometheusText(std::string_view text);

// The sum of every sample named `name` (or `name` + "_total", as the Prometheus exporter names
// counters) whose labels include all of `match`; nullopt when no sample matched.
std::optional<double> SumMetric(const std::vector<PromSample>& samples, std::string_view name,
                                const std::map<std::string, std::string>& match = {});

struct CollectorCounters {
  bool scraped = false;
  std::uint64_t receiver_accepted_spans = 0;
  std::uint64_t receiver_refused_spans = 0;
  std::uint64_t exporter_sent_spans = 0;
  std::uint64_t exporter_send_failed_spans = 0;
  std::uint64_t exporter_enqueue_failed_spans = 0;
  std::uint64_t exporter_queue_size = 0;  // batches waiting in the exporters' sending queues
  // Tail sampling, when the pipeline has it: traces decided, spans kept or not (over every
  // policy, so not a span count of the final decision), traces still waiting for a decision.
  bool tail_sampling = false;
  std::uint64_t tail_traces_sampled = 0;
  std::uint64_t tail_traces_not_sampled = 0;
  std::uint64_t tail_traces_on_memory = 0;  // decided ones too, until evicted (num_traces)
  std::uint64_t tail_new_traces = 0;        // trace ids seen; decided = sampled + not sampled
  std::uint64_t tail_traces_dropped_too_early = 0;
  // Spans into and out of every processor (Collector >= 0.12x reports these for each one);
  // the tail sampler's difference is the spans it sampled out.
  std::map<std::string, std::uint64_t> processor_incoming_spans;
  std::map<std::string, std::uint64_t> processor_outgoing_spans;
  std::uint64_t memory_limiter_refused_spans = 0;
};

// Reads the counters from one scrape. Only spans (otel_signal/data_type traces) are counted.
CollectorCounters ReadCollectorCounters(const std::vector<PromSample>& samples);

// Sums counters of two incarnations (gauges such as queue size come from `now` alone).
CollectorCounters AddCounters(const CollectorCounters& before, const CollectorCounters& now);
// What happened between two scrapes of one Collector that runs on (an external one): counters
// as differences, gauges (queue size, traces in memory) as they are now.
CollectorCounters SubtractCounters(const CollectorCounters& now, const CollectorCounters& before);

// HTTP/1.0 GET http://127.0.0.1:PORT/PATH; the body, or nullopt with `error` set.
std::optional<std::string> HttpGetLoopback(int port, const std::string& path,
                                           std::chrono::milliseconds timeout, std::string& error);

}  // namespace traceproof
