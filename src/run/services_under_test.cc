#include "run/services_under_test.h"

#include <fmt/format.h>

#include <thread>

#include "run/external_services.h"
#include "tracing/otlp_grpc_exporter.h"

namespace traceproof {
namespace {

using std::chrono::milliseconds;

// Services export in small, frequent batches so traces reach the sink while the load runs;
// a deep queue so a burst is absorbed rather than dropped (drops are still counted).
BatchSpanProcessorOptions RunBatchOptions() {
  BatchSpanProcessorOptions o;
  o.max_queue_size = 1 << 16;
  o.max_export_batch_size = 512;
  o.schedule_delay = milliseconds(200);
  o.export_timeout = milliseconds(10000);
  return o;
}

mock::MockServicesOptions MockOptions(const InProcessServicesOptions& options,
                                      GroundTruthSink* truth) {
  mock::MockServicesOptions o;
  o.threads = options.threads;
  o.sampler.name = options.sampling.sampler;
  if (!options.sampling.arg.empty()) o.sampler.arg = options.sampling.arg;
  for (const auto& ov : options.sampling.overrides) {
    SamplerConfig c;
    c.name = ov.sampler;
    if (!ov.arg.empty()) c.arg = ov.arg;
    o.sampler_overrides[ov.service] = c;
  }
  OtlpExporterOptions exporter;
  exporter.endpoint = options.exporter_endpoint;
  exporter.headers = options.exporter_headers;
  exporter.tls = options.exporter_tls;
  o.make_exporter = [exporter](const ResourceInfo& resource) -> std::unique_ptr<SpanExporter> {
    OtlpExporterOptions eo = exporter;
    eo.resource = resource;
    return MakeOtlpGrpcExporter(eo);
  };
  o.batch = RunBatchOptions();
  o.ground_truth = truth;
  o.amqp_url = options.amqp_url;
  return o;
}

class InProcessServices final : public ServicesUnderTest {
 public:
  explicit InProcessServices(RunLog log) : log_(std::move(log)) {}

  bool Start(const ServiceGraph& graph, const InProcessServicesOptions& options,
             std::string& error) {
    services_ = mock::StartMockServices(graph, MockOptions(options, &truth_), error);
    if (!services_) {
      error = "mock services did not start: " + error;
      return false;
    }
    for (const auto& s : graph.services)
      if (s.external.empty())
        log_(fmt::format("service {} on 127.0.0.1:{}", s.name, services_->port(s.name)));
    return true;
  }

  std::pair<std::string, std::uint16_t> Endpoint(const std::string& service) const override {
    return {"127.0.0.1", services_->port(service)};
  }
  void Flush(std::chrono::nanoseconds max, const std::atomic<bool>*) override {
    log_("drain: flushing services");
    services_->Stop(std::chrono::duration_cast<milliseconds>(max));
  }
  void Stop() override { services_->Stop(milliseconds(2000)); }
  std::optional<mock::MockServicesStats> Stats(std::string&) const override {
    return services_->stats();
  }
  std::optional<std::vector<GroundTruthSpan>> TakeTruth(std::string&) override {
    return truth_.Take();
  }
  const GroundTruthRecorder* LiveTruth() const override { return &truth_; }
  GroundTruthRecorder* Recorder() override { return &truth_; }
  std::vector<InboundRecord> TakeInbound() override { return truth_.TakeInbound(); }

 private:
  RunLog log_;
  GroundTruthRecorder truth_;  // outlives the services that record into it
  std::unique_ptr<mock::MockServices> services_;
};

class ElsewhereServices final : public ServicesUnderTest {
 public:
  ElsewhereServices(const ExternalServicesSpec& spec, RunLog log)
      : external_(spec), log_(std::move(log)) {}

  bool Connect(std::string& error) { return external_.Connect(error); }
  const ExternalServices& external() const { return external_; }

  std::pair<std::string, std::uint16_t> Endpoint(const std::string& service) const override {
    return {external_.address(service), external_.port(service)};
  }
  // They cannot be told to flush: wait until their batch processors hold nothing.
  void Flush(std::chrono::nanoseconds max, const std::atomic<bool>* stop) override {
    log_("drain: waiting for the external services' exporters");
    const auto begin = std::chrono::steady_clock::now();
    std::string error;
    while (std::chrono::steady_clock::now() - begin < max && !(stop && stop->load())) {
      const auto st = external_.StatsSinceStart(error);
      if (st && st->spans_pending == 0) return;
      std::this_thread::sleep_for(milliseconds(200));
    }
    log_("drain: the external services still hold spans after drain.max" +
         (error.empty() ? std::string() : " (" + error + ")"));
  }
  void Stop() override {}  // not ours to stop
  std::optional<mock::MockServicesStats> Stats(std::string& error) const override {
    auto st = external_.StatsSinceStart(error);
    if (!st) error = "counters from the services' admin endpoint: " + error;
    return st;
  }
  std::optional<std::vector<GroundTruthSpan>> TakeTruth(std::string& error) override {
    auto truth = external_.TruthSinceStart(error);
    if (!truth) error = "ground truth from the services' admin endpoint: " + error;
    return truth;
  }
  const GroundTruthRecorder* LiveTruth() const override { return nullptr; }
  // A serve process without GET /inbound (an older one) leaves the witnesses out, saying so.
  std::vector<InboundRecord> TakeInbound() override {
    std::string error;
    auto inbound = external_.InboundSinceStart(error);
    if (!inbound) log_("witness records from the services' admin endpoint: " + error);
    return inbound ? std::move(*inbound) : std::vector<InboundRecord>{};
  }

 private:
  ExternalServices external_;
  RunLog log_;
};

}  // namespace

std::unique_ptr<ServicesUnderTest> StartInProcessServices(const ServiceGraph& graph,
                                                          const InProcessServicesOptions& options,
                                                          RunLog log, std::string& error) {
  auto services = std::make_unique<InProcessServices>(std::move(log));
  if (!services->Start(graph, options, error)) return nullptr;
  return services;
}

std::unique_ptr<ServicesUnderTest> ConnectExternalServices(const ExternalServicesSpec& spec,
                                                           RunLog log, std::string& error) {
  auto services = std::make_unique<ElsewhereServices>(spec, log);
  if (!services->Connect(error)) return nullptr;
  for (const auto& [service, hp] : spec.endpoints)
    log(fmt::format("service {} at {} ({}), not started by traceproof", service, hp.Text(),
                    services->external().address(service)));
  log(fmt::format("services: admin endpoint {}, window from {} ns (its clock)", spec.admin.Text(),
                  services->external().baseline().now_unix_ns));
  return services;
}

}  // namespace traceproof
