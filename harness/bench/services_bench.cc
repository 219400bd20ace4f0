#include "bench/services_bench.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <regex>

#include "bench/bench_figures.h"
#include "exit_codes.h"
#include "graph/load_graph.h"
#include "load/open_loop.h"
#include "mock_services/mock_services.h"
#include "otlp_target.h"
#include "process/child_process.h"
#include "sink/sink.h"
#include "sink/trace_sweeper.h"

namespace traceproof {
namespace {

struct ServicesFlags {
  std::string preset = "checkout-baseline";
  std::string route = "POST /checkout";
  std::string entry_service = "gateway";
  double seconds = 5;
  double rate_per_s = 10000;
  int connections = 256;
  int threads = 2;
  std::string protocol = "grpc";
  std::string python = ".venv/bin/python";
  double peer_seconds = 5;
  bool check = false;
  std::string figures_json;
  Reaper* reaper = nullptr;  // not a flag: main's, for the Python peer
};

// One measured run: the load generator's view and the spans' accounting.
struct RunFigures {
  std::string name;
  bool open_loop = false;
  LoadStats load;
  double seconds = 0;               // first request to last answer: req/s and spans/s are over this
  double cpu_s = 0;                 // every process involved (this one, and the peer if any)
  double cpu_wall_s = 0;            // over which cpu_s was spent: the load, then the final flush
  std::uint64_t spans_started = 0;  // ground truth: every span the app began
  std::uint64_t spans_exported = 0;  // the app's exporter says it sent
  std::uint64_t spans_dropped = 0;   // dropped inside the app (queue full, failed export)
  std::uint64_t spans_received = 0;  // the sink accepted
  std::uint64_t spans_refused = 0;   // the sink refused
  std::uint64_t Lost() const {
    return spans_started > spans_received ? spans_started - spans_received : 0;
  }
};

double SelfCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto sec = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return sec(ru.ru_utime) + sec(ru.ru_stime);
}

OpenLoopOptions LoadFor(const ServicesFlags& flags, std::uint16_t port,
                        std::optional<double> rate_per_s, double seconds) {
  OpenLoopOptions o;
  LoadTarget target;
  target.port = port;
  const auto space = flags.route.find(' ');
  target.method = flags.route.substr(0, space);
  target.path = flags.route.substr(space + 1);
  o.targets.push_back(target);
  o.phases.push_back(ArrivalPhase::Constant(rate_per_s.value_or(1),
                                            std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                std::chrono::duration<double>(seconds))));
  o.threads = 1;
  o.connections = flags.connections;
  o.closed_loop = !rate_per_s.has_value();
  return o;
}

// Runs the load; `seconds` is the wall time until the last answer, not the schedule's window,
// so an open-loop run that fell behind and answered its backlog late shows a lower rate.
LoadStats Drive(const OpenLoopOptions& o, double& seconds) {
  const auto t0 = std::chrono::steady_clock::now();
  LoadStats stats = RunOpenLoop(o);
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return stats;
}

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The sink's store: a trace completes after 200 ms without spans, and a TraceSweeper takes it,
// so the store stays bounded however long the bench runs.
TraceStoreOptions SinkStoreOptions() {
  TraceStoreOptions o;
  o.quiet_period = std::chrono::milliseconds(200);
  return o;
}

// Sink, services, load, then stop the services (which flushes their exporters into the sink)
// and the sink, so every span either arrived or is counted as lost.
std::optional<RunFigures> RunOurs(const ServicesFlags& flags, const ServiceGraph& graph,
                                  std::optional<double> rate_per_s) {
  RunFigures f;
  f.open_loop = rate_per_s.has_value();
  f.name = rate_per_s ? fmt::format("traceproof open loop {:.0f}/s", *rate_per_s)
                      : std::string("traceproof closed loop (max)");
  TraceStore store(SinkStoreOptions());
  SinkStartError sink_error;
  auto sink = MakeSink({}, store, sink_error);
  if (!sink) {
    std::cerr << "bench services: cannot start the sink: " << sink_error.reason << "\n";
    return std::nullopt;
  }
  TraceSweeper sweeper(store);
  std::string error;
  mock::MockServicesOptions options;
  options.threads = flags.threads;
  OtlpTarget target;
  target.endpoint.grpc = flags.protocol == "grpc";
  target.endpoint.port = target.endpoint.grpc ? sink->grpc_port() : sink->http_port();
  options.make_exporter = MakeExporterFactory(target);
  // A queue deep enough for a few hundred ms of this rate per service: the SDK default (2048)
  // is sized for apps, not for a benchmark that wants to know whether export keeps up.
  options.batch.max_queue_size = 1 << 16;
  options.batch.schedule_delay = std::chrono::milliseconds(200);
  auto services = mock::StartMockServices(graph, options, error);
  if (!services) {
    std::cerr << "bench services: cannot start the services: " << error << "\n";
    return std::nullopt;
  }
  const double cpu0 = SelfCpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  f.load = Drive(LoadFor(flags, services->port(flags.entry_service), rate_per_s, flags.seconds),
                 f.seconds);
  services->Stop();
  sink->Stop();
  sweeper.Stop();
  f.cpu_s = SelfCpuSeconds() - cpu0;
  f.cpu_wall_s = SecondsSince(t0);
  const mock::MockServicesStats st = services->stats();
  f.spans_started = st.spans_started;
  f.spans_exported = st.spans_exported;
  f.spans_dropped = st.spans_dropped_queue + st.spans_dropped_outage + st.spans_failed_export;
  f.spans_received = sink->counters().spans_accepted.load();
  f.spans_refused = sink->counters().SpansRefused();
  return f;
}

std::optional<RunFigures> RunPythonPeer(const ServicesFlags& flags) {
  namespace fs = std::filesystem;
  RunFigures f;
  f.name = "Python SDK peer closed loop";
  const fs::path script =
      fs::path(TRACEPROOF_SOURCE_DIR) / "harness" / "bench" / "python_checkout_peer.py";
  fs::path python = flags.python;
  if (python.is_relative() && python.has_parent_path())
    python = fs::path(TRACEPROOF_SOURCE_DIR) / python;
  if (python.has_parent_path() && !fs::exists(python)) {
    fmt::print("  peer: {} missing (run scripts/bootstrap)\n", python.string());
    return std::nullopt;
  }
  TraceStore store(SinkStoreOptions());
  SinkOptions sink_options;
  sink_options.grpc.reset();
  SinkStartError sink_error;
  auto sink = MakeSink(sink_options, store, sink_error);
  if (!sink) {
    fmt::print("  peer: cannot start the sink: {}\n", sink_error.reason);
    return std::nullopt;
  }
  TraceSweeper sweeper(store);
  std::string error;
  ChildOptions child_options;
  child_options.reaper = flags.reaper;
  auto peer = SpawnChild({python.string(), script.string(), "--endpoint",
                          fmt::format("http://127.0.0.1:{}", sink->http_port())},
                         error, child_options);
  if (!peer) {
    fmt::print("  peer: {}\n", error);
    return std::nullopt;
  }
  auto line = peer->WaitForLine("listening on 127.0.0.1:", std::chrono::seconds(30));
  std::smatch m;
  if (!line || !std::regex_search(*line, m, std::regex(R"(:(\d+)$)"))) {
    peer->Finish(true);
    fmt::print("  peer did not start:\n{}\n", peer->Output());
    return std::nullopt;
  }
  const auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
  const double cpu0 = SelfCpuSeconds() + peer->CpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  f.load = Drive(LoadFor(flags, port, std::nullopt, flags.peer_seconds), f.seconds);
  const ChildExit exit = peer->Finish(true);
  sink->Stop();
  sweeper.Stop();
  f.cpu_s = SelfCpuSeconds() + exit.cpu_s - cpu0;
  f.cpu_wall_s = SecondsSince(t0);
  const std::string out = peer->Output();
  if (!std::regex_search(out, m,
                         std::regex(R"(spans started (\d+) exported (\d+) dropped (\d+))"))) {
    fmt::print("  peer failed (exit {}):\n{}\n", exit.status, out);
    return std::nullopt;
  }
  f.spans_started = std::stoull(m[1]);
  f.spans_exported = std::stoull(m[2]);
  f.spans_dropped = std::stoull(m[3]);
  f.spans_received = sink->counters().spans_accepted.load();
  f.spans_refused = sink->counters().SpansRefused();
  if (exit.status != 0) fmt::print("  peer exited {}:\n{}\n", exit.status, out);
  return f;
}

void PrintRow(const RunFigures& f) {
  const double rate = f.seconds > 0 ? static_cast<double>(f.load.ok) / f.seconds : 0;
  const Histogram& h = f.load.corrected;
  fmt::print(
      "  {:<32} {:>9.0f} {:>9.0f} {:>7.2f} {:>7.2f} {:>5.0f}% {:>9} {:>9} {:>9} {:>6} "
      "{:>7}\n",
      f.name, rate, static_cast<double>(f.spans_received) / f.seconds,
      static_cast<double>(h.ValueAtPercentile(50)) / 1e6,
      static_cast<double>(h.ValueAtPercentile(99)) / 1e6, 100 * f.cpu_s / f.cpu_wall_s,
      f.spans_started, f.spans_exported, f.spans_received, f.Lost(),
      f.open_loop ? std::to_string(f.load.dropped_iterations) : std::string("-"));
  std::uint64_t non_ok = 0;
  for (const auto& [status, n] : f.load.by_status)
    if (status < 200 || status >= 300) non_ok += n;
  if (f.load.Errors() > 0 || non_ok > 0 || f.spans_dropped > 0 || f.spans_refused > 0)
    fmt::print(
        "  {:<32} errors: connect {}, timeout {}, reset {}, other {}; not 2xx "
        "{}; spans dropped in the app {}, refused by the sink {}\n",
        "", f.load.errors_connect, f.load.errors_timeout, f.load.errors_reset, f.load.errors_other,
        non_ok, f.spans_dropped, f.spans_refused);
}

int RunServicesBench(const ServicesFlags& flags) {
  ServiceGraph graph;
  try {
    graph = LoadServiceGraphFile(ResolveServicesPath(flags.preset));
  } catch (const LoadError& e) {
    std::cerr << "bench services: " << e.what() << "\n";
    return kExitUsage;
  }
  if (flags.route.find(' ') == std::string::npos) {
    std::cerr << "bench services: --route wants 'METHOD /path'\n";
    return kExitUsage;
  }
  fmt::print(
      "bench services: {} {} on `{}`, {} service threads, spans over OTLP/{} to an "
      "embedded sink in this process; load: 1 thread, {} connections, {:.1f} s per run\n",
      flags.entry_service, flags.route, flags.preset, flags.threads,
      flags.protocol == "grpc" ? "gRPC" : "HTTP", flags.connections, flags.seconds);
  fmt::print("  everything (services, sink, load generator, peer) shares this machine's CPUs\n");
  const auto closed = RunOurs(flags, graph, std::nullopt);
  const auto open = flags.rate_per_s > 0 ? RunOurs(flags, graph, flags.rate_per_s) : std::nullopt;
  const auto peer = flags.peer_seconds > 0 ? RunPythonPeer(flags) : std::nullopt;
  if (!closed || (flags.rate_per_s > 0 && !open)) return kExitEnvironment;

  fmt::print("  {:<32} {:>9} {:>9} {:>7} {:>7} {:>6} {:>9} {:>9} {:>9} {:>6} {:>7}\n", "run",
             "req/s", "spans/s", "p50 ms", "p99 ms", "CPU", "started", "exported", "received",
             "lost", "dropped");
  fmt::print("  {:<32} {:>9} {:>9} {:>7} {:>7} {:>6} {:>9} {:>9} {:>9} {:>6} {:>7}\n", "", "",
             "received", "", "", "", "spans", "spans", "spans", "spans", "iter.");
  PrintRow(*closed);
  if (open) PrintRow(*open);
  if (peer) PrintRow(*peer);
  fmt::print(
      "  (rates are over the time to the last answer; latency from the intended start; CPU is "
      "the sum over every process involved, load through final flush, 100% = one core)\n");

  const double closed_rate = static_cast<double>(closed->load.ok) / closed->seconds;
  BenchFigure figure{"bench services: closed loop, zero loss",
                     closed_rate,
                     "req/s",
                     "OpenTelemetry Python SDK services",
                     0,
                     0,
                     ">= 20x the peer, zero loss",
                     std::nullopt,
                     "the Python SDK peer did not run"};
  if (peer && peer->load.ok > 0) {
    const double peer_rate = static_cast<double>(peer->load.ok) / peer->seconds;
    fmt::print(
        "  ratio: traceproof closed loop {:.0f} req/s = {:.1f}x the Python SDK peer's "
        "{:.0f} req/s\n",
        closed_rate, closed_rate / peer_rate, peer_rate);
    figure.peer_value = peer_rate;
    figure.ratio = closed_rate / peer_rate;
    figure.met = figure.ratio >= 20 && closed->Lost() == 0;
    figure.note = closed->Lost() ? fmt::format("{} spans lost", closed->Lost()) : "";
  }
  if (!WriteFigures(flags.figures_json, {figure})) return kExitEnvironment;
  bool pass = closed->Lost() == 0;
  if (open) {
    const double achieved = static_cast<double>(open->load.ok) / open->seconds;
    const bool held = open->load.dropped_iterations == 0 && open->load.Errors() == 0 &&
                      achieved >= 0.99 * flags.rate_per_s;
    fmt::print(
        "  target: {:.0f} req/s open loop with zero loss: {:.0f} req/s achieved, {} "
        "dropped iterations, {} spans lost: {}\n",
        flags.rate_per_s, achieved, open->load.dropped_iterations, open->Lost(),
        held && open->Lost() == 0 ? "met" : "NOT met");
    pass = pass && held && open->Lost() == 0;
  }
  return flags.check && !pass ? kExitCheckFailed : kExitOk;
}

}  // namespace

CommandRun AddServicesBench(CLI::App& bench, const CommandContext& context) {
  auto flags = std::make_shared<ServicesFlags>();
  CLI::App* cmd = bench.add_subcommand(
      "services",
      "Mock services (checkout-baseline) req/s and spans/s into an embedded sink with "
      "zero loss, beside a Python app on the official OpenTelemetry SDK");
  cmd->add_option("--preset", flags->preset, "Preset name or services YAML file")
      ->capture_default_str();
  cmd->add_option("--entry", flags->entry_service, "Service the load is sent to")
      ->capture_default_str();
  cmd->add_option("--route", flags->route, "Route the load requests, 'METHOD /path'")
      ->capture_default_str();
  cmd->add_option("--seconds", flags->seconds, "Duration of each traceproof run")
      ->check(CLI::Range(0.5, 600.0))
      ->capture_default_str();
  cmd->add_option("--rate", flags->rate_per_s, "Open-loop rate, req/s; 0 skips the open-loop run")
      ->check(CLI::Range(0.0, 1e7))
      ->capture_default_str();
  cmd->add_option("--connections", flags->connections, "Load generator connections")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--threads", flags->threads, "Service threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--protocol", flags->protocol, "How the services export: grpc or http")
      ->check(CLI::IsMember({"grpc", "http"}))
      ->capture_default_str();
  cmd->add_option("--python", flags->python, "Python with the OpenTelemetry SDK, for the peer")
      ->capture_default_str();
  cmd->add_option("--peer-seconds", flags->peer_seconds, "Duration of the peer run; 0 skips it")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  cmd->add_flag("--check", flags->check, "Exit 1 unless the open-loop rate held with zero loss");
  AddFiguresOption(*cmd, flags->figures_json);
  return [flags, &context] {
    flags->reaper = context.reaper;
    return RunServicesBench(*flags);
  };
}

}  // namespace traceproof
