#include "run/scenario_runner.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "checks/make_check.h"
#include "load/open_loop.h"
#include "mock_services/mock_services.h"
#include "process/external_collector.h"
#include "process/rabbitmq_broker.h"
#include "run/checks_so_far.h"
#include "run/external_services.h"
#include "sink/sink.h"
#include "store/trace_store.h"
#include "tracing/otlp_grpc_exporter.h"
#include "truth/ground_truth.h"

namespace traceproof {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

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

ArrivalPhase ToArrival(const LoadPhase& phase, int target) {
  ArrivalPhase a;
  switch (phase.arrival) {
    case LoadPhase::Arrival::kConstant:
      a = ArrivalPhase::Constant(phase.rate_per_s, phase.duration);
      break;
    case LoadPhase::Arrival::kPoisson:
      a = ArrivalPhase::Poisson(phase.rate_per_s, phase.duration);
      break;
    case LoadPhase::Arrival::kRamping:
      a = ArrivalPhase::Ramping(phase.from_per_s, phase.to_per_s, phase.duration);
      break;
  }
  a.target = target;
  return a;
}

class Runner {
 public:
  Runner(const Scenario& scenario, const RunOptions& options)
      : scenario_(scenario), options_(options), store_(StoreOptions(scenario)) {}

  RunOutcome Run() {
    const auto started = Clock::now();
    if (Start()) {
      if (scenario_.warmup.count() > 0 && !Stopping()) Warmup();
      if (!Stopping()) Load();
      Drain();
    }
    StopAll();
    if (!report_.binary.empty()) outcome_.collector = report_;
    if (outcome_.status != RunOutcome::Status::kEnvironmentError) {
      if (Stopping()) outcome_.status = RunOutcome::Status::kInterrupted;
      Collect();
      RunChecks();
    }
    outcome_.wall_seconds = Seconds(Clock::now() - started);
    return std::move(outcome_);
  }

 private:
  static TraceStoreOptions StoreOptions(const Scenario& scenario) {
    TraceStoreOptions o;
    // Traces are collected once, at the end; the quiet period only matters for the store's own
    // bookkeeping, so it is at least the exporters' batch delay.
    o.quiet_period = std::max<milliseconds>(
        milliseconds(1000), std::chrono::duration_cast<milliseconds>(scenario.drain_quiet));
    return o;
  }

  bool Stopping() const { return options_.stop && options_.stop->load(); }
  void Log(const std::string& line) const {
    std::lock_guard lock(log_mu_);  // the broker restart thread logs too
    if (options_.log) options_.log(line);
  }
  void Fail(std::string error) {
    outcome_.status = RunOutcome::Status::kEnvironmentError;
    outcome_.error = std::move(error);
  }

  bool Start() {
    std::string error;
    SinkOptions sink_options;
    sink_options.grpc = ListenAddress{options_.sink_grpc_host, options_.sink_grpc_port};
    sink_options.http = ListenAddress{options_.sink_http_host, options_.sink_http_port};
    if (!options_.forward_to.empty()) sink_options.forward.emplace().endpoint = options_.forward_to;
    sink_ = MakeSink(sink_options, store_, error);
    if (!sink_) {
      Fail(error);
      return false;
    }
    Log(fmt::format("sink: otlp/grpc on {}:{}, otlp/http on {}:{}", options_.sink_grpc_host,
                    sink_->grpc_port(), options_.sink_http_host, sink_->http_port()));
    if (sink_options.forward) {
      Log("sink: forwarding every accepted export request to " + options_.forward_to);
    }
    if (scenario_.collector && !StartCollector()) return false;
    if (scenario_.external_services && NeedsServices()) return ConnectExternalServices();
    if (NeedsServices()) {
      mock::MockServicesOptions o;
      o.threads = options_.service_threads;
      o.sampler.name = scenario_.sampling.sampler;
      if (!scenario_.sampling.arg.empty()) o.sampler.arg = scenario_.sampling.arg;
      for (const auto& ov : scenario_.sampling.overrides) {
        SamplerConfig c;
        c.name = ov.sampler;
        if (!ov.arg.empty()) c.arg = ov.arg;
        o.sampler_overrides[ov.service] = c;
      }
      // With a Collector, the services export to it and it exports to the sink.
      const std::string endpoint = collector_ ? collector_->otlp_grpc_endpoint()
                                   : external_collector_
                                       ? scenario_.collector->endpoint.Text()
                                       : fmt::format("127.0.0.1:{}", sink_->grpc_port());
      o.make_exporter = [endpoint](const ResourceInfo& resource) -> std::unique_ptr<SpanExporter> {
        OtlpExporterOptions eo;
        eo.endpoint = endpoint;
        eo.resource = resource;
        return MakeOtlpGrpcExporter(eo);
      };
      o.batch = RunBatchOptions();
      o.ground_truth = &truth_;
      if (!StartBroker(o.amqp_url)) return false;
      services_ = mock::StartMockServices(scenario_.services, o, error);
      if (!services_) {
        Fail("mock services did not start: " + error);
        return false;
      }
      for (const auto& s : scenario_.services.services)
        if (s.external.empty())
          Log(fmt::format("service {} on 127.0.0.1:{}", s.name, services_->port(s.name)));
    }
    return true;
  }

  // services.external: nothing to start; the admin endpoint gives the baseline of the window.
  bool ConnectExternalServices() {
    external_ = std::make_unique<ExternalServices>(*scenario_.external_services);
    std::string error;
    if (!external_->Connect(error)) {
      Fail(error);
      return false;
    }
    for (const auto& [service, hp] : scenario_.external_services->endpoints)
      Log(fmt::format("service {} at {} ({}), not started by traceproof", service, hp.Text(),
                      external_->address(service)));
    Log(fmt::format("services: admin endpoint {}, window from {} ns (its clock)",
                    scenario_.external_services->admin.Text(), external_->baseline().now_unix_ns));
    return true;
  }

  // collector: { endpoint, metrics }: one that runs already. Its counters are scraped now and
  // at the end, and the differences reconciled.
  bool ConnectExternalCollector() {
    const CollectorSpec& spec = *scenario_.collector;
    report_.binary = "external Collector at " + spec.endpoint.Text();
    report_.config = "(its own)";
    ExternalCollectorOptions o;
    o.metrics_host = spec.metrics.host;
    o.metrics_port = spec.metrics.port;
    o.metrics_path = spec.metrics_path;
    external_collector_ = std::make_unique<ExternalCollector>(o);
    if (const Status s = external_collector_->Start(spec.ready_timeout); !s.ok()) {
      Fail(s.error);
      return false;
    }
    Log(
        fmt::format("collector: external at {}, metrics http://{}{} ({} spans accepted before "
                    "this run)",
                    spec.endpoint.Text(), spec.metrics.Text(), spec.metrics_path,
                    external_collector_->baseline().receiver_accepted_spans));
    return true;
  }

  // The Collector's counters for this run: ours since it started, an external one's since the
  // run started. scraped = false when the scrape failed.
  CollectorCounters ScrapeCollector() {
    if (collector_) return collector_->Scrape();
    if (external_collector_) return external_collector_->Scrape();
    return CollectorCounters{};
  }

  bool HasCollector() const { return collector_ || external_collector_; }

  // checks_so_far.h: only where spans reach the sink within a fraction of a second.
  bool ChecksSoFarApply() const {
    return services_ && !HasCollector() && !(scenario_.broker && !scenario_.broker->faults.empty());
  }

  bool StartCollector() {
    const CollectorSpec& spec = *scenario_.collector;
    if (spec.external) return ConnectExternalCollector();
    CollectorOptions o;
    o.binary = spec.binary.empty() ? DefaultCollectorBinary() : spec.binary;
    o.config = spec.config;
    o.sink_grpc_endpoint = fmt::format("127.0.0.1:{}", sink_->grpc_port());
    o.reaper = options_.reaper;
    report_.binary = o.binary;
    report_.config = o.config;
    if (spec.binary.empty() && access(o.binary.c_str(), X_OK) != 0) {
      Fail(fmt::format(
          "the Collector binary {} is missing: build it with scripts/build-collector (or run "
          "scripts/bootstrap), or set TRACEPROOF_OTELCOL or the scenario's collector.binary",
          o.binary));
      return false;
    }
    collector_ = std::make_unique<CollectorProcess>(o);
    if (const Status s = collector_->Start(spec.ready_timeout); !s.ok()) {
      report_.log = collector_->Log();
      collector_.reset();
      Fail(s.error);
      return false;
    }
    Log(fmt::format("collector: {} with {}; otlp/grpc on {}, metrics on 127.0.0.1:{}", o.binary,
                    o.config, collector_->otlp_grpc_endpoint(), collector_->metrics_port()));
    return true;
  }

  // Collector faults due at `load_elapsed` into the load: kill, and restart after a pause.
  void CollectorFaultTick(Clock::duration load_elapsed) {
    if (!collector_) return;
    const auto& faults = scenario_.collector->faults;
    if (fault_state_.size() < faults.size()) fault_state_.resize(faults.size(), 0);
    for (std::size_t i = 0; i < faults.size(); ++i) {
      const CollectorFault& f = faults[i];
      if (fault_state_[i] == 0 && load_elapsed >= f.at) {
        collector_->Kill();
        ++report_.kills;
        fault_state_[i] = 1;
        Log(fmt::format("fault: collector killed (SIGKILL) at {:.1f} s{}", Seconds(load_elapsed),
                        f.restart ? "" : "; it stays down"));
      } else if (fault_state_[i] == 1 && f.restart && load_elapsed >= f.at + f.restart_after) {
        fault_state_[i] = 2;
        std::string error;
        if (collector_->Restart(error)) {
          ++report_.restarts;
          Log(fmt::format("fault: collector restarted at {:.1f} s", Seconds(load_elapsed)));
        } else {
          Log("fault: collector did not restart: " + error);
        }
      }
    }
  }

  // Broker faults due at `load_elapsed` into the load: a restart blocks for seconds, so it runs
  // on its own thread while the load goes on; one at a time, in order.
  void BrokerFaultTick(Clock::duration load_elapsed) {
    if (!broker_ || !scenario_.broker) return;
    const auto& faults = scenario_.broker->faults;
    if (next_broker_fault_ >= faults.size() || load_elapsed < faults[next_broker_fault_].at) return;
    if (broker_restarting_.load()) return;  // the previous restart is still under way
    if (broker_fault_thread_.joinable()) broker_fault_thread_.join();
    ++next_broker_fault_;
    broker_restarting_ = true;
    Log(fmt::format("fault: broker restarting at {:.1f} s", Seconds(load_elapsed)));
    broker_fault_thread_ = std::thread([this] {
      const auto begin = Clock::now();
      std::string error;
      if (broker_->Restart(error)) {
        Log(fmt::format("fault: broker restarted, accepting AMQP again after {:.1f} s",
                        Seconds(Clock::now() - begin)));
      } else {
        broker_restart_error_ = error;
        Log("fault: broker did not restart: " + error);
      }
      broker_restarting_ = false;
    });
  }

  // Before the services drain (and before the broker stops): the restart is over.
  void JoinBrokerFault() {
    if (!broker_fault_thread_.joinable()) return;
    broker_fault_thread_.join();
    if (!broker_restart_error_.empty() && outcome_.status != RunOutcome::Status::kEnvironmentError)
      Fail("the broker did not come back after its restart fault: " + broker_restart_error_);
  }

  // Waits until the Collector holds nothing (exporter queues empty, tail sampler without
  // pending traces, every accepted span sent or dropped) and nothing has moved for a while,
  // then takes the last scrape and stops it gracefully (its batches flush on SIGTERM).
  void DrainCollector(Clock::time_point begin) {
    if (!HasCollector()) return;
    const auto hold =
        std::max<std::chrono::nanoseconds>(scenario_.drain_quiet, std::chrono::milliseconds(1500));
    CollectorCounters last{};
    std::uint64_t last_sink = sink_->counters().spans_received.load();
    auto stable_since = Clock::now();
    while ((external_collector_ || collector_->Running()) &&
           Clock::now() - begin < scenario_.drain_max && !Stopping()) {
      std::this_thread::sleep_for(milliseconds(250));
      const CollectorCounters c = ScrapeCollector();
      const std::uint64_t sink = sink_->counters().spans_received.load();
      const bool idle =
          c.scraped && c.exporter_queue_size == 0 &&
          (c.tail_sampling
               ? c.tail_traces_sampled + c.tail_traces_not_sampled >= c.tail_new_traces
               : c.receiver_accepted_spans <= c.exporter_sent_spans + c.exporter_send_failed_spans +
                                                  c.exporter_enqueue_failed_spans);
      const bool changed = sink != last_sink ||
                           c.receiver_accepted_spans != last.receiver_accepted_spans ||
                           c.exporter_sent_spans != last.exporter_sent_spans;
      last = c;
      last_sink = sink;
      if (changed || !idle) {
        stable_since = Clock::now();
      } else if (Clock::now() - stable_since >= hold) {
        break;
      }
    }
    StopCollector();
  }

  void StopCollector() {
    if (external_collector_ && !stopped_collector_) {
      // Not ours to stop: its counters at the end of the drain are the run's.
      stopped_collector_ = true;
      report_.counters = ScrapeCollector();
      Log(fmt::format("collector: external, {} spans accepted and {} sent during this run{}",
                      report_.counters.receiver_accepted_spans,
                      report_.counters.exporter_sent_spans,
                      report_.counters.scraped ? "" : " (the last scrape failed)"));
      return;
    }
    if (!collector_ || stopped_collector_) return;
    stopped_collector_ = true;
    report_.counters = collector_->Scrape();
    const std::uint64_t sink_before = sink_->counters().spans_received.load();
    collector_->Stop(kCollectorStopGrace);
    report_.exit_status = collector_->exit_status();
    // What its batch processor flushed on SIGTERM still reaches the sink; wait for it.
    std::uint64_t last = sink_->counters().spans_received.load();
    for (int i = 0; i < 20; ++i) {
      std::this_thread::sleep_for(milliseconds(100));
      const std::uint64_t now = sink_->counters().spans_received.load();
      if (now == last && i >= 3) break;
      last = now;
    }
    report_.spans_flushed_at_stop = sink_->counters().spans_received.load() - sink_before;
    report_.resources = collector_->Metrics();
    report_.log = collector_->Log();
    Log(fmt::format("collector: stopped (exit status {}), {} spans accepted, {} sent{}",
                    report_.exit_status, report_.counters.receiver_accepted_spans,
                    report_.counters.exporter_sent_spans,
                    report_.spans_flushed_at_stop
                        ? fmt::format(", {} flushed at stop", report_.spans_flushed_at_stop)
                        : std::string()));
  }

  bool NeedsServices() const {
    return std::any_of(scenario_.load.begin(), scenario_.load.end(),
                       [](const LoadPhase& p) { return !p.span_load; });
  }

  // Targets and arrival phases for the generator, one target per phase (its route and limits).
  OpenLoopOptions LoadOptions(const std::vector<LoadPhase>& phases) {
    OpenLoopOptions o;
    o.threads = options_.load_threads;
    o.connections = options_.load_connections;
    for (const LoadPhase& p : phases) {
      LoadTarget t;
      if (p.span_load) {
        t.port = sink_->http_port();
        t.path = "/v1/traces";
        t.span_load_spans = p.spans_per_request;
        t.spans_per_trace = p.spans_per_trace;
      } else {
        if (external_) {
          t.host = external_->address(p.service);
          t.port = external_->port(p.service);
        } else {
          t.port = services_->port(p.service);
        }
        t.method = p.method;
        t.path = p.path;
        if (p.method == "POST" || p.method == "PUT" || p.method == "PATCH") {
          t.body = "{}";
          t.content_type = "application/json";
        }
      }
      t.connections = p.connections;
      t.timeout = p.timeout;
      o.targets.push_back(t);
      o.phases.push_back(ToArrival(p, static_cast<int>(o.targets.size()) - 1));
    }
    return o;
  }

  LoadStats RunWithProgress(const OpenLoopOptions& load, const std::string& phase_name) {
    OpenLoopProgress progress;
    LoadStats stats;
    double total_s = 0;
    for (const auto& p : load.phases) total_s += Seconds(p.duration);
    std::atomic<bool> done{false};
    std::thread worker([&] {
      stats = RunOpenLoop(load, &progress, options_.stop);
      done = true;
    });
    const auto begin = Clock::now();
    std::uint64_t last_sent = 0;
    auto last = begin;
    std::optional<ChecksSoFarSampler> so_far;
    if (phase_name == "load" && ChecksSoFarApply()) so_far.emplace(scenario_, truth_, store_);
    std::optional<ChecksSoFar> look;
    while (!done) {
      std::this_thread::sleep_for(milliseconds(100));
      if (phase_name == "load") {
        CollectorFaultTick(Clock::now() - begin);
        BrokerFaultTick(Clock::now() - begin);
      }
      if (Clock::now() - last < std::chrono::seconds(1) && !done) continue;
      const auto now = Clock::now();
      RunProgress p;
      p.phase = phase_name;
      p.elapsed_s = Seconds(now - begin);
      p.phase_total_s = total_s;
      p.requests_sent = progress.sent.load();
      p.rate_per_s = (p.requests_sent - last_sent) / std::max(1e-3, Seconds(now - last));
      p.p99_corrected_ns = progress.p99_corrected_ns.load();
      p.spans_received = sink_->counters().spans_received.load();
      p.dropped_iterations = progress.dropped.load();
      p.errors = progress.errors.load();
      if (so_far) {
        const auto unix_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::system_clock::now().time_since_epoch());
        if (auto fresh = so_far->Tick(now, static_cast<std::uint64_t>(unix_ns.count())))
          look = std::move(fresh);
      }
      if (look && look->requests > 0) {
        p.checks_so_far_requests = look->requests;
        p.failing_so_far = look->failing;
      }
      last_sent = p.requests_sent;
      last = now;
      if (options_.on_progress) options_.on_progress(p);
    }
    worker.join();
    return stats;
  }

  void Warmup() {
    LoadPhase first = scenario_.load.front();
    first.duration = scenario_.warmup;
    if (first.arrival == LoadPhase::Arrival::kRamping) {
      first.arrival = LoadPhase::Arrival::kConstant;
      first.rate_per_s = std::max(1.0, first.from_per_s);
    }
    Log(fmt::format("warm-up: {:.1f} s (not measured)", Seconds(scenario_.warmup)));
    RunWithProgress(LoadOptions({first}), "warm-up");
  }

  void Load() {
    double total = 0;
    for (const auto& p : scenario_.load) total += Seconds(p.duration);
    Log(fmt::format("load: {} phase(s), {:.1f} s", scenario_.load.size(), total));
    const auto begin = Clock::now();
    outcome_.data.load = RunWithProgress(LoadOptions(scenario_.load), "load");
    outcome_.data.run_seconds = Seconds(Clock::now() - begin);
  }

  // Waits until no span has arrived for `drain_quiet`, bounded by `drain_max`. Services flush
  // on stop, so they are stopped first.
  void Drain() {
    JoinBrokerFault();
    const auto begin = Clock::now();
    if (services_) {
      Log("drain: flushing services");
      services_->Stop(std::chrono::duration_cast<milliseconds>(scenario_.drain_max));
    }
    if (external_) DrainExternalServices(begin);
    std::uint64_t last = sink_->counters().spans_received.load();
    auto quiet_since = Clock::now();
    // With a Collector, DrainCollector watches both it and the sink.
    while (!HasCollector() && Clock::now() - begin < scenario_.drain_max && !Stopping()) {
      std::this_thread::sleep_for(milliseconds(50));
      const std::uint64_t now = sink_->counters().spans_received.load();
      if (now != last) {
        last = now;
        quiet_since = Clock::now();
      } else if (Clock::now() - quiet_since >= scenario_.drain_quiet) {
        break;
      }
    }
    if (HasCollector()) {
      DrainCollector(begin);
      last = sink_->counters().spans_received.load();
    }
    Log(fmt::format("drain: {} spans received, quiet after {:.1f} s", last,
                    Seconds(Clock::now() - begin)));
  }

  // Services that run elsewhere cannot be told to flush: wait until their batch processors hold
  // nothing (bounded by drain_max).
  void DrainExternalServices(Clock::time_point begin) {
    Log("drain: waiting for the external services' exporters");
    std::string error;
    while (Clock::now() - begin < scenario_.drain_max && !Stopping()) {
      const auto st = external_->StatsSinceStart(error);
      if (st && st->spans_pending == 0) return;
      std::this_thread::sleep_for(milliseconds(200));
    }
    Log("drain: the external services still hold spans after drain.max" +
        (error.empty() ? std::string() : " (" + error + ")"));
  }

  // `broker:`: our own RabbitMQ for the run, or the URL of a running one. Sets `amqp_url`.
  bool StartBroker(std::string& amqp_url) {
    if (!scenario_.broker) return true;
    std::string error;
    if (!scenario_.broker->start_rabbitmq) {
      amqp_url = scenario_.broker->amqp_url;
      Log("broker: " + amqp_url + " (not started by traceproof)");
      return true;
    }
    const auto begin = Clock::now();
    RabbitMqBrokerOptions broker_options;
    broker_options.reaper = options_.reaper;
    broker_ = StartRabbitMqBroker(broker_options, error);
    if (!broker_) {
      Fail("RabbitMQ broker did not start: " + error);
      return false;
    }
    amqp_url = broker_->amqp_url();
    Log(fmt::format("broker: rabbitmq {} on 127.0.0.1:{}, ready after {:.1f} s",
                    broker_->node_name(), broker_->amqp_port(), Seconds(Clock::now() - begin)));
    return true;
  }

  void StopAll() {
    if (services_) services_->Stop(milliseconds(2000));
    StopCollector();
    JoinBrokerFault();
    if (broker_) broker_->Stop(kRabbitMqStopTimeout);
    if (sink_) {
      sink_->Stop();  // receivers, then up to 5 s for the forward endpoint to take the rest
      outcome_.forward = sink_->forwarder_stats();
    } else if (!options_.forward_to.empty()) {
      // The sink never started, so nothing was forwarded; the reports still say where to.
      outcome_.forward.emplace().endpoint = options_.forward_to;
    }
    if (outcome_.forward) {
      const ForwarderStats& f = *outcome_.forward;
      Log(
          fmt::format("forward: {} requests ({} spans) to {}; {} failed ({} spans), {} dropped "
                      "({} spans){}",
                      f.requests_forwarded, f.spans_forwarded, f.endpoint, f.requests_failed,
                      f.spans_failed, f.requests_dropped, f.spans_dropped,
                      f.last_error.empty() ? "" : "; last error: " + f.last_error));
    }
  }

  void Collect() {
    RunData& d = outcome_.data;
    d.traces = store_.CollectCompleted(true);
    d.truth = truth_.Snapshot();
    std::optional<mock::MockServicesStats> external_stats;
    if (external_) {
      std::string error;
      if (auto truth = external_->TruthSinceStart(error)) {
        d.truth = std::move(*truth);
      } else {
        Fail("ground truth from the services' admin endpoint: " + error);
      }
      external_stats = external_->StatsSinceStart(error);
      if (!external_stats) Fail("counters from the services' admin endpoint: " + error);
    }
    d.head_sampler = scenario_.sampling.sampler;
    d.head_sampler_ratio = scenario_.sampling.ratio;
    outcome_.sink_spans_received = sink_->counters().spans_received.load();
    outcome_.sink_spans_accepted = sink_->counters().spans_accepted.load();
    outcome_.sink_spans_refused = sink_->counters().SpansRefused();
    if (services_ || external_stats) {
      const mock::MockServicesStats st = services_ ? services_->stats() : *external_stats;
      HopCounters h;
      h.name = "services";
      h.passed_on = st.spans_exported;
      h.dropped = {{"queue full", st.spans_dropped_queue},
                   {"exporter outage", st.spans_dropped_outage},
                   {"export failed", st.spans_failed_export}};
      h.received = st.spans_exported + st.spans_dropped_queue + st.spans_dropped_outage +
                   st.spans_failed_export;
      d.hops.push_back(std::move(h));
    }
    if (HasCollector()) {
      d.hops.push_back(CollectorHop(d.hops.empty() ? nullptr : &d.hops.back()));
    }
    HopCounters sink;
    sink.name = "sink";
    sink.received = sink_->counters().spans_received.load();
    sink.passed_on = sink_->counters().spans_accepted.load();
    for (std::size_t i = 0; i < kRefusalReasonCount; ++i) {
      const std::uint64_t n = sink_->counters().spans_refused[i].load();
      if (n) sink.dropped.emplace_back(RefusalReasonName(static_cast<RefusalReason>(i)), n);
    }
    if (const auto evicted = store_.counters().evicted_spans.load())
      sink.dropped.emplace_back("evicted (store full)", evicted);
    d.hops.push_back(std::move(sink));
  }

  // services -> [collector] -> sink: what the Collector received (accepted + refused by its
  // receivers), passed on (sent by its forwarding exporters, plus what its shutdown flushed) and
  // dropped, by reason. The tail sampler reports decisions per trace, not per span, so the spans
  // it sampled out are those it accepted and neither sent nor failed to send (named with its
  // trace counts); the same holds for spans lost inside a killed Collector.
  HopCounters CollectorHop(const HopCounters* upstream) const {
    const CollectorCounters& c = report_.counters;
    HopCounters h;
    h.name = "collector";
    h.received = c.receiver_accepted_spans + c.receiver_refused_spans;
    h.passed_on = c.exporter_sent_spans + report_.spans_flushed_at_stop;
    std::uint64_t accounted = h.passed_on;
    auto drop = [&](std::string why, std::uint64_t n) {
      if (!n) return;
      h.dropped.emplace_back(std::move(why), n);
      accounted += n;
    };
    if (report_.kills > 0) {
      // A killed Collector's counters die with it: the last scrape before the kill misses what
      // it accepted and sent in the moments after. Both ends know better: the services saw every
      // span it accepted succeed, and the sink counted every span it delivered.
      if (upstream) h.received = std::max(h.received, upstream->passed_on);
      h.passed_on = std::max(h.passed_on, sink_->counters().spans_received.load());
      accounted = h.passed_on;
    }
    drop("refused by receiver", c.receiver_refused_spans);
    drop("exporter send failed", c.exporter_send_failed_spans);
    drop("exporter queue full", c.exporter_enqueue_failed_spans);
    const std::uint64_t rest = h.received > accounted ? h.received - accounted : 0;
    if (c.tail_sampling) {
      drop(fmt::format("sampled out by tail_sampling ({} traces not sampled, {} sampled{})",
                       c.tail_traces_not_sampled, c.tail_traces_sampled,
                       c.tail_new_traces > c.tail_traces_sampled + c.tail_traces_not_sampled
                           ? fmt::format(", {} undecided at stop", c.tail_new_traces -
                                                                       c.tail_traces_sampled -
                                                                       c.tail_traces_not_sampled)
                           : std::string()),
           rest);
    } else if (report_.kills > 0) {
      drop("in flight when killed (accepted, never delivered)", rest);
    }
    return h;
  }

  void RunChecks() {
    Log(fmt::format("checks: {} over {} traces, {} ground-truth spans", scenario_.checks.size(),
                    outcome_.data.traces.size(), outcome_.data.truth.size()));
    for (const CheckSpec& spec : scenario_.checks) {
      CheckResult r = MakeCheck(spec)->Run(outcome_.data);
      if (r.kind.empty()) r.kind = spec.kind;
      r.pos = spec.pos;
      outcome_.results.push_back(std::move(r));
    }
  }

  const Scenario& scenario_;
  const RunOptions& options_;
  TraceStore store_;
  std::unique_ptr<Sink> sink_;  // feeds store_; started first, stopped after the services
  GroundTruthRecorder truth_;
  std::unique_ptr<mock::MockServices> services_;
  std::unique_ptr<CollectorProcess> collector_;
  std::unique_ptr<ExternalCollector> external_collector_;  // collector: { endpoint, metrics }
  std::unique_ptr<ExternalServices> external_;             // services.external
  CollectorReport report_;
  bool stopped_collector_ = false;
  std::vector<int> fault_state_;            // per collector fault: 0 pending, 1 killed, 2 restarted
  std::unique_ptr<RabbitMqBroker> broker_;  // stopped after the services
  std::thread broker_fault_thread_;         // a broker restart under way, or done
  std::atomic<bool> broker_restarting_{false};
  std::string broker_restart_error_;  // written by that thread, read after joining it
  std::size_t next_broker_fault_ = 0;
  mutable std::mutex log_mu_;
  RunOutcome outcome_;
};

}  // namespace

bool RunOutcome::ChecksPassed() const {
  return std::all_of(results.begin(), results.end(), [](const CheckResult& r) { return r.passed; });
}

bool RunOutcome::AsExpected(const Expectation& expect, std::string& why) const {
  if (status != Status::kCompleted) {
    why = status == Status::kInterrupted ? "the run was interrupted" : error;
    return false;
  }
  if (expect.pass) {
    if (ChecksPassed()) return true;
    why = "a check failed";
    return false;
  }
  if (ChecksPassed()) {
    why = "every check passed, but the scenario expects a failure";
    return false;
  }
  for (const std::string& kind : expect.failing_kinds) {
    const bool failed = std::any_of(results.begin(), results.end(), [&](const CheckResult& r) {
      return r.kind == kind && !r.passed;
    });
    if (!failed) {
      why = fmt::format("the scenario expects a '{}' check to fail, and none did", kind);
      return false;
    }
  }
  // Checks that fail without being expected to are still a surprise.
  for (const CheckResult& r : results) {
    if (r.passed) continue;
    if (std::find(expect.failing_kinds.begin(), expect.failing_kinds.end(), r.kind) ==
            expect.failing_kinds.end() &&
        !expect.failing_kinds.empty()) {
      why = fmt::format("'{}' check failed, and the scenario expects only {} to fail", r.kind,
                        fmt::join(expect.failing_kinds, ", "));
      return false;
    }
  }
  return true;
}

RunOutcome RunScenario(const Scenario& scenario, const RunOptions& options) {
  return Runner(scenario, options).Run();
}

}  // namespace traceproof
