#include "run/run_collector.h"

#include <fmt/format.h>
#include <unistd.h>

#include <thread>

namespace traceproof {
namespace {

using std::chrono::milliseconds;

double Seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

RunCollector::RunCollector(const CollectorSpec& spec,
                           std::function<std::uint64_t()> sink_spans_received,
                           RunCollectorOptions options)
    : spec_(spec),
      sink_spans_received_(std::move(sink_spans_received)),
      options_(std::move(options)) {}

Status RunCollector::Start() { return spec_.external ? StartExternal() : StartOurs(); }

Status RunCollector::StartOurs() {
  CollectorOptions o;
  o.binary = spec_.binary.empty() ? DefaultCollectorBinary() : spec_.binary;
  o.config = spec_.config;
  o.sink_grpc_endpoint = fmt::format("127.0.0.1:{}", options_.sink_grpc_port);
  o.sink_tier_endpoints = options_.sink_tier_endpoints;
  o.sink_ca_file = options_.sink_ca_file;
  o.sink_server_name = options_.sink_server_name;
  o.reaper = options_.reaper;
  report_.binary = o.binary;
  report_.config = o.config;
  if (spec_.binary.empty() && access(o.binary.c_str(), X_OK) != 0) {
    return Status::Error(fmt::format(
        "the Collector binary {} is missing: build it with scripts/build-collector (or run "
        "scripts/bootstrap), or set TRACEPROOF_OTELCOL or the scenario's collector.binary",
        o.binary));
  }
  ours_ = std::make_unique<CollectorProcess>(o);
  if (Status s = ours_->Start(spec_.ready_timeout); !s.ok()) {
    report_.log = ours_->Log();
    ours_.reset();
    return s;
  }
  options_.log(fmt::format("collector: {} with {}; otlp/grpc on {}, metrics on 127.0.0.1:{}",
                           o.binary, o.config, ours_->otlp_grpc_endpoint(), ours_->metrics_port()));
  return Status::Ok();
}

// collector: { endpoint, metrics }: one that runs already. Its counters are scraped now and at
// the end, and the differences reconciled.
Status RunCollector::StartExternal() {
  report_.binary = "external Collector at " + spec_.endpoint.Text();
  report_.config = "(its own)";
  ExternalCollectorOptions o;
  o.metrics_host = spec_.metrics.host;
  o.metrics_port = spec_.metrics.port;
  o.metrics_path = spec_.metrics_path;
  external_ = std::make_unique<ExternalCollector>(o);
  if (Status s = external_->Start(spec_.ready_timeout); !s.ok()) return s;
  options_.log(fmt::format(
      "collector: external at {}, metrics http://{}{} ({} spans accepted before this run)",
      spec_.endpoint.Text(), spec_.metrics.Text(), spec_.metrics_path,
      external_->baseline().receiver_accepted_spans));
  return Status::Ok();
}

std::string RunCollector::ExporterEndpoint() const {
  return ours_ ? ours_->otlp_grpc_endpoint() : spec_.endpoint.Text();
}

std::uint16_t RunCollector::SpanLoadPort() const {
  return ours_ ? static_cast<std::uint16_t>(ours_->otlp_http_port()) : 0;
}

CollectorCounters RunCollector::Scrape() {
  if (ours_) return ours_->Scrape();
  if (external_) return external_->Scrape();
  return CollectorCounters{};
}

std::vector<TimedFault> RunCollector::Faults() {
  std::vector<TimedFault> faults;
  if (!ours_) return faults;
  for (const CollectorFault& f : spec_.faults) {
    faults.push_back({f.at, [this, restart = f.restart](std::chrono::nanoseconds at) {
                        ours_->Kill();
                        ++report_.kills;
                        options_.log(fmt::format("fault: collector killed (SIGKILL) at {:.1f} s{}",
                                                 Seconds(at), restart ? "" : "; it stays down"));
                        return Status::Ok();
                      }});
    if (!f.restart) continue;
    faults.push_back({f.at + f.restart_after, [this](std::chrono::nanoseconds at) {
                        std::string error;
                        if (!ours_->Restart(error)) {
                          options_.log("fault: collector did not restart: " + error);
                          return Status::Error(error);
                        }
                        ++report_.restarts;
                        options_.log(
                            fmt::format("fault: collector restarted at {:.1f} s", Seconds(at)));
                        return Status::Ok();
                      }});
  }
  return faults;
}

DrainProbes RunCollector::Probes() {
  DrainProbes p;
  // Every count here only grows, so their sum moves whenever any of them does.
  p.moved = [this] {
    const CollectorCounters c = Scrape();
    return sink_spans_received_() + c.receiver_accepted_spans + c.exporter_sent_spans;
  };
  p.holds_spans = [this]() -> std::optional<bool> {
    if (ours_ && !ours_->Running()) return false;  // gone: nothing more will come from it
    const CollectorCounters c = Scrape();
    if (!c.scraped) return std::nullopt;
    return !CollectorHoldsNothing(c, std::nullopt);
  };
  return p;
}

void RunCollector::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (external_) {
    // Not ours to stop: its counters at the end of the drain are the run's.
    report_.counters = Scrape();
    options_.log(fmt::format("collector: external, {} spans accepted and {} sent during this run{}",
                             report_.counters.receiver_accepted_spans,
                             report_.counters.exporter_sent_spans,
                             report_.counters.scraped ? "" : " (the last scrape failed)"));
    return;
  }
  if (ours_) StopOurs();
}

std::uint64_t RunCollector::FailedExportsTo(const std::string& endpoint) const {
  const std::string needle = "\"endpoint\": \"" + endpoint + "\"";
  std::uint64_t n = 0;
  std::size_t begin = 0;
  while (begin < report_.log.size()) {
    std::size_t end = report_.log.find('\n', begin);
    if (end == std::string::npos) end = report_.log.size();
    const std::string_view line(report_.log.data() + begin, end - begin);
    if (line.find("Exporting failed") != std::string_view::npos &&
        line.find(needle) != std::string_view::npos)
      ++n;
    begin = end + 1;
  }
  return n;
}

void RunCollector::StopOurs() {
  report_.counters = ours_->Scrape();
  const std::uint64_t sink_before = sink_spans_received_();
  ours_->Stop(kCollectorStopGrace);
  report_.exit_status = ours_->exit_status();
  // What its batch processor flushed on SIGTERM still reaches the sink; wait for it.
  std::uint64_t last = sink_spans_received_();
  for (int i = 0; i < 20; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
    const std::uint64_t now = sink_spans_received_();
    if (now == last && i >= 3) break;
    last = now;
  }
  report_.spans_flushed_at_stop = sink_spans_received_() - sink_before;
  report_.resources = ours_->Metrics();
  report_.log = ours_->Log();
  options_.log(fmt::format("collector: stopped (exit status {}), {} spans accepted, {} sent{}",
                           report_.exit_status, report_.counters.receiver_accepted_spans,
                           report_.counters.exporter_sent_spans,
                           report_.spans_flushed_at_stop
                               ? fmt::format(", {} flushed at stop", report_.spans_flushed_at_stop)
                               : std::string()));
}

}  // namespace traceproof
