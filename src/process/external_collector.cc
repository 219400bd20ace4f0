#include "process/external_collector.h"

#include <fmt/format.h>

#include <thread>

#include "process/http_get.h"

namespace traceproof {

Status ExternalCollector::Start(std::chrono::milliseconds ready_timeout) noexcept {
  try {
    const auto deadline = std::chrono::steady_clock::now() + ready_timeout;
    std::string error;
    std::optional<CollectorCounters> c;
    while (!(c = ScrapeNow(error)) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    if (!c) {
      return Status::Error(
          fmt::format("the external Collector's metrics {} did not answer within {} ms: {}",
                      metrics_url(), ready_timeout.count(), error));
    }
    baseline_ = *c;
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::Error(std::string("the external Collector's metrics: ") + e.what());
  }
}

CollectorCounters ExternalCollector::Scrape() const {
  std::string error;
  const auto c = ScrapeNow(error);
  if (!c) return CollectorCounters{};
  return SubtractCounters(*c, baseline_);
}

std::string ExternalCollector::metrics_url() const {
  return fmt::format("http://{}:{}{}", options_.metrics_host, options_.metrics_port,
                     options_.metrics_path);
}

std::optional<CollectorCounters> ExternalCollector::ScrapeNow(std::string& error) const {
  const auto body = HttpGet(options_.metrics_host, options_.metrics_port, options_.metrics_path,
                            options_.scrape_timeout, error);
  if (!body) return std::nullopt;
  CollectorCounters c = ReadCollectorCounters(ParsePrometheusText(*body));
  if (!c.scraped) {
    error = "no otelcol_ metrics in the answer";
    return std::nullopt;
  }
  return c;
}

}  // namespace traceproof
