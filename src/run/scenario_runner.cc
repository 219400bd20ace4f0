#include "run/scenario_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "process/rabbitmq_broker.h"
#include "run/checks_so_far.h"
#include "run/drain.h"
#include "run/fault_schedule.h"
#include "run/forget_windows.h"
#include "run/hop_accounting.h"
#include "run/lifecycle.h"
#include "run/load_plan.h"
#include "run/run_apps.h"
#include "run/run_collector.h"
#include "run/series_sources.h"
#include "run/services_under_test.h"
#include "run/sink_tier.h"
#include "run/store_bounds.h"
#include "run/trace_stream.h"
#include "sink/sink.h"
#include "sink/trace_sweeper.h"
#include "store/trace_store.h"

namespace traceproof {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

bool NeedsServices(const Scenario& scenario) {
  return std::any_of(scenario.load.begin(), scenario.load.end(),
                     [](const LoadPhase& p) { return !p.span_load; });
}

// The scenario's `sink: { require_headers }` and `run --require-header`, as one list.
RequiredHeaders SinkRequiredHeaders(const Scenario& scenario, const RunOptions& options) {
  RequiredHeaders headers = scenario.sink ? scenario.sink->require_headers : RequiredHeaders{};
  headers.insert(headers.end(), options.sink_required_headers.begin(),
                 options.sink_required_headers.end());
  return headers;
}

bool HasSpanLoad(const Scenario& scenario) {
  return std::any_of(scenario.load.begin(), scenario.load.end(),
                     [](const LoadPhase& p) { return p.span_load; });
}

class Runner {
 public:
  Runner(const Scenario& scenario, const RunOptions& options)
      : scenario_(scenario),
        options_(options),
        required_headers_(SinkRequiredHeaders(scenario, options)),
        store_(RunStoreOptions(scenario)),
        stream_(scenario.checks, StreamOptions(scenario, options)),
        series_(std::make_unique<SeriesRecorder>(RunSeriesSources(
            [this] { return sinks_ ? sinks_->spans_received() : 0; }, broker_, collector_, apps_))),
        lifecycle_([this](const std::string& line) { Log(line); }) {}

  RunOutcome Run() {
    const auto started = Clock::now();
    if (Start()) {
      if (scenario_.warmup.count() > 0 && !Stopping()) Warmup();
      if (!Stopping()) Load();
      Drain();
      outcome_.series = series_->Take();
    }
    lifecycle_.StopAll();
    if (collector_ && !collector_->report().binary.empty())
      outcome_.collector = collector_->report();
    if (outcome_.status != RunOutcome::Status::kEnvironmentError) {
      if (Stopping()) outcome_.status = RunOutcome::Status::kInterrupted;
      Collect();
      Log(fmt::format(
          "checks: {} over {} traces ({} spans, judged as they completed), {} ground-truth "
          "spans in {} requests ({} judged as they completed, {} given up on after drain.max; "
          "at most {} held at once)",
          scenario_.checks.size(), outcome_.traces.records, outcome_.traces.spans,
          outcome_.ground_truth_spans, outcome_.truth_join.released,
          outcome_.truth_join.released - outcome_.truth_requests_held_at_end,
          outcome_.truth_join.missing, outcome_.truth_join.held_peak));
      outcome_.results = stream_.Judge(outcome_.data);
    }
    outcome_.wall_seconds = Seconds(Clock::now() - started);
    return std::move(outcome_);
  }

 private:
  // The checks-so-far sampler looks back ~4 s: it needs the traces completed in that window.
  static TraceStreamOptions StreamOptions(const Scenario& scenario, const RunOptions& options) {
    TraceStreamOptions o;
    o.context.ground_truth = NeedsServices(scenario);
    for (const LoadPhase& p : scenario.load)
      if (!p.span_load && !p.fresh_traceparent) o.context.load_entry_services.push_back(p.service);
    o.on_trace = options.on_trace;
    // Witness records of what reached a mock from a service we did not write.
    o.context.witnesses =
        std::any_of(scenario.services.services.begin(), scenario.services.services.end(),
                    [](const auto& s) { return !s.external.empty() || s.app; });
    // A request is whole once its traces completed at the sink and nothing of it was recorded
    // for longer than the services' export delay; one whose trace never completes is given
    // up on after drain.max, as the drain would.
    o.join.settle =
        std::max<std::chrono::nanoseconds>(scenario.drain_quiet, std::chrono::seconds(2));
    o.join.missing_after = scenario.drain_max;
    const ForgetWindows forget = ChecksForgetWindows(scenario, o.join, o.context.witnesses);
    o.context.forget_traces_after = forget.traces;
    o.context.forget_sink_traces_after = forget.sink_traces;
    // Only a run the sampler may look at keeps them: a span-load run would hold 8 s of spans.
    if (ChecksSoFarMayApply(scenario)) o.keep_recent = std::chrono::milliseconds(8000);
    return o;
  }

  bool Stopping() const { return options_.stop && options_.stop->load(); }
  void Log(const std::string& line) const {
    std::lock_guard lock(log_mu_);  // a broker restart logs from its own thread
    if (options_.log) options_.log(line);
  }
  bool Fail(std::string error) {
    outcome_.status = RunOutcome::Status::kEnvironmentError;
    outcome_.error = std::move(error);
    return false;
  }
  bool Started(const Status& s) { return s.ok() || Fail(s.error); }

  // In dependency order: sink, broker, Collector, services, then the faults that act on them.
  bool Start() {
    if (!StartSink()) return false;
    const bool services = NeedsServices(scenario_);
    if (services && !scenario_.external_services && !StartBroker()) return false;
    if (scenario_.collector && !StartCollector()) return false;
    if (services && !StartServices()) return false;
    StartFaults();
    return true;
  }

  // The tier's options from the scenario and the flags; an error for what one sink only takes.
  std::optional<std::string> SinkOptionsFor(SinkTierOptions& o) const {
    o.count = scenario_.sink ? scenario_.sink->count : 1;
    o.first.grpc = ListenAddress{options_.sink_grpc_host, options_.sink_grpc_port};
    o.first.http = ListenAddress{options_.sink_http_host, options_.sink_http_port};
    o.first.forward = options_.forward;
    o.first.limits.required_headers = required_headers_;
    // Span load may hold more connections to the sink than the receiver's default cap.
    std::size_t connections = static_cast<std::size_t>(options_.load_connections);
    for (const LoadPhase& p : scenario_.load)
      connections = std::max(connections, static_cast<std::size_t>(p.connections));
    o.first.limits.max_connections = std::max(o.first.limits.max_connections, connections + 64);
    if (const SinkTlsSpec* tls = SinkTls()) {
      o.first.tls = tls->server;
      // The loader refuses this for a scenario's sink.tls; --tls-cert comes after it.
      if (HasSpanLoad(scenario_) && !scenario_.collector)
        return "span load cannot reach a TLS sink yet (the load generator speaks plain HTTP): "
               "put a Collector in front or leave out --tls-cert";
      if (o.count > 1)
        return "--tls-cert is for one sink; this scenario runs a tier behind a Collector";
    }
    if (o.count > 1 && (options_.sink_grpc_port || options_.sink_http_port || o.first.forward))
      return fmt::format(
          "--sink-listen and --forward-to are for one sink; this scenario runs a tier of {} "
          "(sink: {{ count: {} }}) on free loopback ports",
          o.count, o.count);
    return std::nullopt;
  }

  // Where the sinks listen and what they ask of a sender, said once they listen.
  void LogSinks() const {
    for (int i = 0; i < sinks_->count(); ++i) {
      const Sink& sink = sinks_->sink(i);
      Log(fmt::format("sink{}: otlp/grpc on {}:{}, otlp/http on {}:{}",
                      sinks_->count() > 1 ? fmt::format(" {}", i) : "",
                      i == 0 ? options_.sink_grpc_host : "127.0.0.1", sink.grpc_port(),
                      i == 0 ? options_.sink_http_host : "127.0.0.1", sink.http_port()));
    }
    if (const SinkTlsSpec* tls = SinkTls()) {
      Log(fmt::format("sink: TLS on both receivers{}; {}",
                      tls->server.client_ca_pem.empty() ? "" : " (client certificates required)",
                      scenario_.collector
                          ? "the Collector's exporter must trust $TRACEPROOF_SINK_CA_FILE"
                          : "the run's services and apps trust " + tls->ca_file + " and verify " +
                                tls->client.server_name));
    }
    if (!required_headers_.empty()) {
      Log(fmt::format("sink: exports must carry the header(s) {}; {}",
                      RequiredHeaderNames(required_headers_),
                      scenario_.collector ? "the Collector's exporter config must send them"
                                          : "the run's services, apps and span load send them"));
    }
    Log(StoreBoundsText(store_.options(), PeakSpansPerSecond(scenario_)));
    if (options_.forward)
      Log(fmt::format("sink: forwarding every accepted export request to {}{}",
                      options_.forward->endpoint, options_.forward->tls ? " over TLS" : ""));
  }

  bool StartSink() {
    SinkTierOptions o;
    if (auto bad = SinkOptionsFor(o)) return Fail(*bad);
    std::string error;
    sinks_ = SinkTier::Start(o, store_, error);
    if (!sinks_) {
      // Nothing was forwarded; the reports still say where to.
      if (o.first.forward) {
        outcome_.forward.emplace().endpoint = o.first.forward->endpoint;
        LogForward(*outcome_.forward);
      }
      return Fail(error);
    }
    LogSinks();
    TraceSweeperOptions so;
    so.on_traces = [this](const std::vector<std::shared_ptr<const Trace>>& traces) {
      stream_.Add(traces);
    };
    so.on_sweep = [this] { HandOverTruth(); };
    sweeper_ = std::make_unique<TraceSweeper>(store_, so);
    lifecycle_.Push("sink", [this] {
      sinks_->Stop();  // receivers, then up to 5 s for the forward endpoint to take the rest
      outcome_.forward = sinks_->sink(0).forwarder_stats();
      if (outcome_.forward) LogForward(*outcome_.forward);
      LogUnauthenticated();
    });
    return true;
  }

  // Refused before they were decoded, so no span of theirs is counted at the sink: the sender
  // (a Collector whose exporter lacks the header) is where those spans show up as lost.
  void LogUnauthenticated() const {
    std::uint64_t refused = 0;
    for (int i = 0; i < sinks_->count(); ++i) {
      refused += sinks_->sink(i)
                     .counters()
                     .requests_refused[static_cast<std::size_t>(RefusalReason::kUnauthenticated)]
                     .load();
    }
    if (refused > 0) {
      Log(fmt::format("sink: {} export requests refused as unauthenticated (no or a wrong {})",
                      refused, RequiredHeaderNames(required_headers_)));
    }
  }

  void LogForward(const ForwarderStats& f) const {
    Log(fmt::format(
        "forward: {} requests ({} spans) to {}; {} failed ({} spans), {} dropped ({} spans){}",
        f.requests_forwarded, f.spans_forwarded, f.endpoint, f.requests_failed, f.spans_failed,
        f.requests_dropped, f.spans_dropped,
        f.last_error.empty() ? "" : "; last error: " + f.last_error));
  }

  // `broker:`: our own RabbitMQ for the run, or the URL of a running one.
  bool StartBroker() {
    if (!scenario_.broker) return true;
    if (!scenario_.broker->start_rabbitmq) {
      amqp_url_ = scenario_.broker->amqp_url;
      Log("broker: " + amqp_url_ + " (not started by traceproof)");
      return true;
    }
    const auto begin = Clock::now();
    RabbitMqBrokerOptions o;
    o.reaper = options_.reaper;
    broker_ = MakeRabbitMqBroker(o);
    const Status s = lifecycle_.Start(*broker_, o.start_timeout, kRabbitMqStopTimeout);
    if (!s.ok()) return Fail("RabbitMQ broker did not start: " + s.error);
    amqp_url_ = broker_->amqp_url();
    Log(fmt::format("broker: rabbitmq {} on 127.0.0.1:{}, ready after {:.1f} s",
                    broker_->node_name(), broker_->amqp_port(), Seconds(Clock::now() - begin)));
    return true;
  }

  bool StartCollector() {
    RunCollectorOptions o;
    o.sink_grpc_port = sinks_->sink(0).grpc_port();
    if (sinks_->count() > 1) o.sink_tier_endpoints = sinks_->GrpcEndpoints();
    if (const SinkTlsSpec* tls = SinkTls()) {
      o.sink_ca_file = tls->ca_file;
      o.sink_server_name = tls->client.server_name;
    }
    o.reaper = options_.reaper;
    o.log = [this](const std::string& line) { Log(line); };
    collector_ = std::make_unique<RunCollector>(
        *scenario_.collector, [this] { return sinks_->spans_received(); }, o);
    return Started(lifecycle_.Start(
        "collector", [this] { return collector_->Start(); }, [this] { collector_->Stop(); }));
  }

  bool StartServices() {
    std::string error;
    auto log = [this](const std::string& line) { Log(line); };
    if (scenario_.external_services) {
      services_ = ConnectExternalServices(*scenario_.external_services, log, error);
    } else {
      InProcessServicesOptions o;
      o.threads = options_.service_threads;
      o.sampling = scenario_.sampling;
      // With a Collector, the services export to it and it exports to the sink.
      o.exporter_endpoint = collector_ ? collector_->ExporterEndpoint()
                                       : fmt::format("127.0.0.1:{}", sinks_->sink(0).grpc_port());
      o.amqp_url = amqp_url_;
      o.exporter_headers = SinkHeaders();
      if (SinkTls() && !collector_) o.exporter_tls = SinkTls()->client;
      // The apps' ports first: the mocks call them as they call an external service.
      apps_ = std::make_unique<RunApps>(scenario_.services, error);
      if (!error.empty()) return Fail(error);
      services_ =
          StartInProcessServices(apps_->WithAppsAsExternal(scenario_.services), o, log, error);
    }
    if (!services_) return Fail(error);
    recorder_.store(services_->Recorder());
    lifecycle_.Push("services", [this] { services_->Stop(); });
    return StartApps();
  }

  // After the mocks, whose addresses they are given; before the load.
  bool StartApps() {
    if (!apps_ || apps_->empty()) return true;
    RunAppsOptions o;
    o.run_id = NewRunId();  // one id: the apps' resource attribute and their log folder agree
    o.log_dir = options_.apps_log_dir.empty()
                    ? std::filesystem::temp_directory_path() / ("traceproof-apps-" + o.run_id)
                    : options_.apps_log_dir;
    o.amqp_url = amqp_url_;
    if (collector_) {
      o.otlp.grpc_url = "http://" + collector_->ExporterEndpoint();
    } else {
      o.otlp = SinkForApps();
    }
    o.otlp.headers = SinkHeaders();
    o.reaper = options_.reaper;
    o.log = [this](const std::string& line) { Log(line); };
    auto endpoint = [this](const std::string& service) { return services_->Endpoint(service); };
    return Started(apps_->Start(scenario_.services, endpoint, o, lifecycle_));
  }

  // The apps' SDKs export on their own schedule: the sink must have been quiet for longer than
  // their batch delay before they are stopped (SIGTERM: what they still hold is flushed).
  void DrainApps(Clock::time_point begin) {
    DrainOptions o;
    o.max = std::max<std::chrono::nanoseconds>(std::chrono::nanoseconds(0),
                                               scenario_.drain_max - (Clock::now() - begin));
    o.stop = options_.stop;
    o.tick = SeriesTick();
    o.quiet = std::max<std::chrono::nanoseconds>(scenario_.drain_quiet, 5 * kAppBatchDelay);
    DrainProbes p;
    p.moved = [this] { return sinks_->spans_received(); };
    if (collector_) p = collector_->Probes();
    DrainUntilSettled(p, o);
    Log("drain: stopping the apps (their SDKs flush)");
    lifecycle_.StopThrough(apps_->FirstName());
  }

  // Collector kills and restarts, broker restarts, sink kills, by time into the load.
  void StartFaults() {
    std::vector<TimedFault> faults;
    if (collector_) faults = collector_->Faults();
    if (scenario_.sink) {
      for (const SinkFault& f : scenario_.sink->faults)
        faults.push_back({f.at, [this, index = f.index](std::chrono::nanoseconds at) {
                            sinks_->Kill(index, at);
                            Log(
                                fmt::format("fault: sink {} ({}) killed at {:.1f} s: its "
                                            "receivers are closed for the rest of the run",
                                            index, sinks_->GrpcEndpoint(index), Seconds(at)));
                            return Status::Ok();
                          }});
    }
    if (broker_ && scenario_.broker) {
      for (const BrokerFault& f : scenario_.broker->faults)
        faults.push_back({f.at, [this](std::chrono::nanoseconds at) { return RestartBroker(at); },
                          /*background=*/true, /*fatal=*/true});
    }
    faults_ = std::make_unique<FaultSchedule>(std::move(faults));
    lifecycle_.Push("faults", [this] {
      // Before the services drain and the broker stops: a restart under way is over.
      if (auto error = faults_->Join();
          error && outcome_.status != RunOutcome::Status::kEnvironmentError)
        Fail("the broker did not come back after its restart fault: " + *error);
    });
  }

  Status RestartBroker(std::chrono::nanoseconds at) {
    Log(fmt::format("fault: broker restarting at {:.1f} s", Seconds(at)));
    const auto begin = Clock::now();
    std::string error;
    if (!broker_->Restart(error)) {
      Log("fault: broker did not restart: " + error);
      return Status::Error(error);
    }
    Log(fmt::format("fault: broker restarted, accepting AMQP again after {:.1f} s",
                    Seconds(Clock::now() - begin)));
    return Status::Ok();
  }

  const SinkTlsSpec* SinkTls() const {
    if (options_.sink_tls) return &*options_.sink_tls;
    return scenario_.sink && scenario_.sink->tls ? &*scenario_.sink->tls : nullptr;
  }

  // The embedded sink as the apps' SDKs reach it: https:// by the certificate's name with TLS.
  AppOtlpEndpoints SinkForApps() const {
    AppOtlpEndpoints e;
    const SinkTlsSpec* tls = SinkTls();
    const std::string base =
        tls ? "https://" + tls->client.server_name + ":" : std::string("http://127.0.0.1:");
    e.grpc_url = base + std::to_string(sinks_->sink(0).grpc_port());
    e.http_url = base + std::to_string(sinks_->sink(0).http_port());
    if (tls) {
      e.ca_file = tls->ca_file;
      e.client_cert_file = tls->client_cert_file;
      e.client_key_file = tls->client_key_file;
    }
    return e;
  }

  // What a sender that exports straight to the sink must send; one that exports to the
  // Collector sends nothing (the Collector's own exporter faces the sink).
  std::vector<std::pair<std::string, std::string>> SinkHeaders() const {
    std::vector<std::pair<std::string, std::string>> out;
    if (collector_) return out;
    for (const RequiredHeader& h : required_headers_) out.emplace_back(h.name, h.value);
    return out;
  }

  LoadEndpoints Endpoints() const {
    LoadEndpoints e;
    // Span load tests the pipeline, so it enters where the services' spans would: the Collector.
    const std::uint16_t collector = collector_ ? collector_->SpanLoadPort() : 0;
    e.sink_http_port = collector ? collector : sinks_->sink(0).http_port();
    if (!collector) e.sink_headers = SinkHeaders();
    e.service = [this](const std::string& service) { return services_->Endpoint(service); };
    return e;
  }

  PhaseWatch Watch(std::string phase) const {
    PhaseWatch w;
    w.phase = std::move(phase);
    w.spans_received = [this] { return sinks_->spans_received(); };
    w.on_progress = options_.on_progress;
    w.stop = options_.stop;
    w.series = series_.get();
    return w;
  }

  void Warmup() {
    Log(fmt::format("warm-up: {:.1f} s (not measured)", Seconds(scenario_.warmup)));
    RunLoadWithProgress(Plan({WarmupPhase(scenario_.load.front(), scenario_.warmup)}),
                        Watch("warm-up"));
  }

  // The scenario's phases as this process sends them: its shard's share, with the shared seed.
  OpenLoopOptions Plan(const std::vector<LoadPhase>& phases) const {
    OpenLoopOptions o =
        PlanLoad(phases, Endpoints(), options_.load_threads, options_.load_connections);
    o.shard = options_.shard;
    o.shards = options_.shards;
    o.seed = options_.arrival_seed;
    o.keep_latencies = options_.keep_latencies;
    return o;
  }

  // `--start-at`: sleeps (Ctrl-C still stops) until the common start; false when stopped. A
  // start already past is run at once, with a line saying by how much the shards may differ.
  bool WaitForStartAt() {
    if (!options_.load_start_at) return true;
    const auto at = *options_.load_start_at;
    const auto now = std::chrono::system_clock::now();
    if (at <= now) {
      Log(fmt::format("load: --start-at passed {:.1f} s ago; starting now (shards may not line up)",
                      Seconds(now - at)));
      return true;
    }
    Log(fmt::format("load: waiting {:.1f} s for --start-at", Seconds(at - now)));
    while (std::chrono::system_clock::now() < at) {
      if (Stopping()) return false;
      std::this_thread::sleep_for(std::min<std::chrono::system_clock::duration>(
          milliseconds(20), at - std::chrono::system_clock::now()));
    }
    return true;
  }

  // checks_so_far.h: only where spans reach the sink within a fraction of a second.
  static bool ChecksSoFarMayApply(const Scenario& scenario) {
    return NeedsServices(scenario) && !scenario.collector &&
           !(scenario.broker && !scenario.broker->faults.empty());
  }
  bool ChecksSoFarApply() const {
    return ChecksSoFarMayApply(scenario_) && services_ && services_->LiveTruth();
  }

  void Load() {
    Log(fmt::format("load: {} phase(s), {:.1f} s", scenario_.load.size(),
                    TotalSeconds(scenario_.load)));
    if (HasSpanLoad(scenario_) && collector_ && !collector_->SpanLoadPort())
      Log("load: span load goes straight to the sink (the external Collector's OTLP/HTTP "
          "receiver is not known)");
    std::optional<ChecksSoFarSampler> so_far;
    if (ChecksSoFarApply()) {
      ChecksSoFarOptions o;
      o.recent = [this](const TraceId& id) { return stream_.Recent(id); };
      truth_keep_from_.store(0);  // until its first look says which spans it may still visit
      o.keep_from = &truth_keep_from_;
      so_far.emplace(scenario_, *services_->LiveTruth(), store_, o);
    }
    PhaseWatch watch = Watch("load");
    watch.tick = [this](std::chrono::nanoseconds elapsed) { faults_->Tick(elapsed); };
    watch.so_far = so_far ? &*so_far : nullptr;
    const OpenLoopOptions plan = Plan(scenario_.load);
    if (!WaitForStartAt()) return;
    const auto begin = Clock::now();
    outcome_.data.load = RunLoadWithProgress(plan, watch);
    outcome_.data.run_seconds = Seconds(Clock::now() - begin);
    truth_keep_from_.store(kKeepNothing);
  }

  // On the sweeper thread (and once more after it stopped): what the services recorded since
  // the last call goes to the checks' truth joiner and the harness' ground_truth.jsonl, and the
  // recorder lets go of it, unless a check reads the whole run's truth at the end.
  void HandOverTruth() {
    GroundTruthRecorder* recorder = recorder_.load();
    if (!recorder) return;
    std::vector<GroundTruthSpan> spans = recorder->CopyFrom(truth_handed_);
    std::vector<InboundRecord> inbound = recorder->TakeInbound();
    truth_handed_ += spans.size();
    if (stream_.ReadsRunTruth()) {
      run_inbound_.insert(run_inbound_.end(), inbound.begin(), inbound.end());
    } else {
      recorder->Forget(std::min(truth_handed_, truth_keep_from_.load()));
    }
    StreamTruth(std::move(spans), std::move(inbound));
  }

  void StreamTruth(std::vector<GroundTruthSpan> spans, std::vector<InboundRecord> inbound) {
    if (options_.on_truth)
      for (const GroundTruthSpan& s : spans) options_.on_truth(s);
    if (options_.on_inbound)
      for (const InboundRecord& r : inbound) options_.on_inbound(r);
    outcome_.ground_truth_spans += spans.size();
    const Clock::time_point now = Clock::now();
    stream_.AddTruth(std::move(spans), std::move(inbound), now);
    stream_.ReleaseDue(now);
  }

  // The services flush first (they are stopped, or waited for); then the sink, and the
  // Collector if there is one, must settle within what is left of drain.max.
  void Drain() {
    lifecycle_.StopThrough("faults");
    const auto begin = Clock::now();
    series_->BeginPhase("drain", begin);
    if (services_) services_->Flush(scenario_.drain_max, options_.stop);
    if (apps_ && !apps_->FirstName().empty() && lifecycle_.Running(apps_->FirstName()))
      DrainApps(begin);
    DrainOptions o;
    o.max = std::max<std::chrono::nanoseconds>(std::chrono::nanoseconds(0),
                                               scenario_.drain_max - (Clock::now() - begin));
    o.stop = options_.stop;
    o.tick = SeriesTick();
    if (collector_) {
      o.quiet = std::max<std::chrono::nanoseconds>(scenario_.drain_quiet, milliseconds(1500));
      o.poll = milliseconds(250);
      DrainUntilSettled(collector_->Probes(), o);
      lifecycle_.StopThrough("collector");  // the last scrape, then a graceful stop
    } else {
      o.quiet = scenario_.drain_quiet;
      DrainProbes p;
      p.moved = [this] { return sinks_->spans_received(); };
      DrainUntilSettled(p, o);
    }
    series_->Record(Clock::now(), nullptr);
    Log(fmt::format("drain: {} spans received, quiet after {:.1f} s", sinks_->spans_received(),
                    Seconds(Clock::now() - begin)));
  }

  // A row of the per-second series when one is due, from the drain's polls.
  std::function<void()> SeriesTick() {
    return [this] {
      if (series_->Due(Clock::now())) series_->Record(Clock::now(), nullptr);
    };
  }

  void Collect() {
    RunData& d = outcome_.data;
    if (sweeper_) sweeper_->Stop();  // the sink has stopped: every open trace completes now
    outcome_.traces = stream_.digest();
    d.head_sampler = scenario_.sampling.sampler;
    d.head_sampler_ratio = scenario_.sampling.ratio;
    // A phase that sends its own traceparent started its traces itself: an entry service that
    // ignored it and started a trace of its own is judged (a foreign trace), not trusted.
    for (const LoadPhase& p : scenario_.load)
      if (!p.span_load && !p.fresh_traceparent) d.load_entry_services.push_back(p.service);
    d.tail_sampling = collector_ && collector_->report().counters.tail_sampling;
    const std::vector<HopCounters> sink_hops = sinks_->Hops(store_.counters());
    for (int i = 0; i < sinks_->count(); ++i) {
      const IngestCounters& ingest = sinks_->sink(i).counters();
      outcome_.sink_spans_received += ingest.spans_received.load();
      outcome_.sink_spans_accepted += ingest.spans_accepted.load();
      outcome_.sink_spans_refused += ingest.SpansRefused();
    }
    outcome_.sink_update_records = store_.counters().update_records.load();
    outcome_.sink_late_spans = store_.counters().late_spans.load();
    if (services_) {
      std::string error;
      CollectTruth(error);
      if (auto stats = services_->Stats(error)) {
        d.hops.push_back(ServicesHop(*stats));
      } else {
        Fail(error);
      }
    }
    // Span load without services: the generator is the first hop, so a request it could not
    // deliver counts as loss rather than vanishing from both ends of the count.
    if (!services_ && HasSpanLoad(scenario_)) d.hops.push_back(SenderHop(d.load));
    if (collector_) {
      d.hops.push_back(CollectorHop(collector_->report(), d.hops.empty() ? nullptr : &d.hops.back(),
                                    outcome_.sink_spans_received));
    }
    d.hops.insert(d.hops.end(), sink_hops.begin(), sink_hops.end());
    d.sinks = sinks_->TakeRouting();
    if (collector_)
      for (SinkRouting& s : d.sinks)
        s.collector_failed_exports = collector_->FailedExportsTo(s.endpoint);
  }

  // Ground truth the sweeper has not handed over yet, the services elsewhere's (only now), and
  // the whole run's where a check reads it at the end; then every request still held goes to
  // the checks.
  void CollectTruth(std::string& error) {
    HandOverTruth();
    outcome_.truth_requests_held_at_end = stream_.held_requests();
    const bool whole = stream_.ReadsRunTruth();
    if (!recorder_.load()) {
      auto truth = services_->TakeTruth(error);
      if (!truth) Fail(error);
      std::vector<InboundRecord> inbound = services_->TakeInbound();
      if (whole && truth) outcome_.data.truth = *truth;
      if (whole) outcome_.data.inbound = inbound;
      StreamTruth(truth ? std::move(*truth) : std::vector<GroundTruthSpan>{}, std::move(inbound));
    } else if (whole) {
      if (auto truth = services_->TakeTruth(error)) outcome_.data.truth = std::move(*truth);
      outcome_.data.inbound = std::move(run_inbound_);
    }
    stream_.FlushTruth();
    outcome_.truth_join = stream_.truth_counts();
  }

  // No check will look at the recorder's spans again: it may forget every one handed over.
  static constexpr std::size_t kKeepNothing = ~std::size_t{0};

  const Scenario& scenario_;
  const RunOptions& options_;
  const RequiredHeaders required_headers_;  // by every sink of the run; never logged
  TraceStore store_;
  TraceStream stream_;                     // every check's tally, fed by sweeper_
  std::unique_ptr<TraceSweeper> sweeper_;  // store_ -> stream_, from the sink's start
  std::unique_ptr<SinkTier> sinks_;        // one sink, or a tier; all feed store_
  std::unique_ptr<RabbitMqBroker> broker_;
  std::string amqp_url_;  // the broker's, ours or a running one; empty: in-process queues
  std::unique_ptr<RunCollector> collector_;
  std::unique_ptr<ServicesUnderTest> services_;
  // services_'s recorder when it is in this process: the sweeper thread hands its records over.
  std::atomic<GroundTruthRecorder*> recorder_{nullptr};
  std::size_t truth_handed_ = 0;  // sweeper thread: spans handed to the checks so far
  // The first position the checks-so-far sampler may still visit (kKeepNothing: none).
  std::atomic<std::size_t> truth_keep_from_{kKeepNothing};
  std::vector<InboundRecord> run_inbound_;  // sweeper thread: kept for ReadsRunTruth
  std::unique_ptr<RunApps> apps_;           // the user's apps (services with `app:`); may be empty
  std::unique_ptr<FaultSchedule> faults_;
  std::unique_ptr<SeriesRecorder> series_;  // reads the members above at each row
  mutable std::mutex log_mu_;
  RunOutcome outcome_;
  Lifecycle lifecycle_;  // last: it is unwound before the parts it stops are destroyed
};

}  // namespace

RunOutcome RunScenario(const Scenario& scenario, const RunOptions& options) {
  return Runner(scenario, options).Run();
}

}  // namespace traceproof
