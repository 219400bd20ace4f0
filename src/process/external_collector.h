// A Collector that runs elsewhere (`collector: { endpoint, metrics }`: another container, a
// staging host): traceproof neither starts nor stops it, so as a ProcessUnderTest its Start waits
// (bounded) until its Prometheus metrics answer and takes that scrape as the baseline, its Stop
// has nothing to stop, and Scrape reports the counters since the baseline, the run's share of a
// Collector that may have served others before. Not thread-safe: one owning thread (the run's).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "process/collector_metrics.h"
#include "process/process_under_test.h"

namespace traceproof {

struct ExternalCollectorOptions {
  std::string metrics_host;
  int metrics_port = 0;
  std::string metrics_path = "/metrics";
  std::chrono::milliseconds scrape_timeout{2000};  // for one scrape
};

class ExternalCollector final : public ProcessUnderTest {
 public:
  explicit ExternalCollector(ExternalCollectorOptions options) : options_(std::move(options)) {}

  std::string_view Name() const noexcept override { return "collector"; }
  // Scrapes every 250 ms until one answers with otelcol_ metrics (the baseline), at most
  // `ready_timeout`; an error naming the metrics URL and the last failure otherwise.
  Status Start(std::chrono::milliseconds ready_timeout) noexcept override;
  void Stop(std::chrono::milliseconds) noexcept override {}        // not ours to stop
  ProcessMetrics Metrics() const noexcept override { return {}; }  // not ours to measure
  std::filesystem::path LogPath() const noexcept override { return {}; }

  // Counters since the baseline, gauges as they are now; scraped = false when the scrape failed.
  CollectorCounters Scrape() const;
  const CollectorCounters& baseline() const { return baseline_; }
  std::string metrics_url() const;  // http://HOST:PORT/PATH

 private:
  // One scrape as it is; nullopt with `error` set when it failed or held no otelcol_ metrics.
  std::optional<CollectorCounters> ScrapeNow(std::string& error) const;

  ExternalCollectorOptions options_;
  CollectorCounters baseline_;
};

}  // namespace traceproof
