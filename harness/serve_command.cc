// `traceproof serve PRESET|FILE`: the mock services standalone, for users who point their own
// load tools and tracing backends at them. The scenario runner runs the same code in-process.
#include <fmt/format.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"
#include "config/amqp_url.h"
#include "config/required_header.h"
#include "exit_codes.h"
#include "graph/load_graph.h"
#include "listen_warning.h"
#include "mock_services/admin_server.h"
#include "mock_services/mock_services.h"
#include "otlp_target.h"
#include "stop_signals.h"
#include "truth/truth_log.h"

namespace traceproof {
namespace {

struct ServeFlags {
  std::string services;
  double scale = 0;  // 0: as the file says
  std::string otlp_endpoint;
  std::string otlp_protocol;
  std::string truth;
  double duration_s = 0;
  int threads = 2;
  std::string sampler;
  std::string sampler_arg;
  std::string broker;  // AMQP URL; empty: queues in process
  std::string host = "127.0.0.1";
  int port_base = 0;                      // 0: each service on a free port (or its own `port:`)
  int admin_port = -1;                    // -1: no admin endpoint; 0: a free port
  std::vector<std::string> otlp_headers;  // NAME=VALUE, ${ENV} expanded; never printed
};

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// The services file, with --scale and --port-base applied; an exit code when it is unusable.
std::optional<int> LoadGraph(const ServeFlags& flags, ServiceGraph& graph) {
  try {
    graph = LoadServiceGraphFile(ResolveServicesPath(flags.services));
  } catch (const LoadError& e) {
    std::cerr << "traceproof serve: " << e.what() << "\n";
    return kExitUsage;
  }
  if (flags.scale > 0) graph.scale = flags.scale;
  if (flags.port_base > 0) {
    // Fixed ports in declaration order, so a compose file or a scenario can name them.
    int next = flags.port_base;
    for (auto& s : graph.services) {
      if (!s.external.empty()) continue;
      if (next > 65535) {
        std::cerr << "traceproof serve: --port-base " << flags.port_base << " leaves no port for "
                  << s.name << "\n";
        return kExitUsage;
      }
      s.port = static_cast<std::uint16_t>(next++);
    }
  }
  return std::nullopt;
}

// Flags first, then the SDKs' environment variables (OTEL_BSP_*, OTEL_RESOURCE_ATTRIBUTES,
// OTEL_TRACES_SAMPLER*, OTEL_EXPORTER_OTLP_*), so a deployment can make spans leave within a
// run's drain. An exit code when a flag is invalid.
std::optional<int> ServicesOptions(const ServeFlags& flags, mock::MockServicesOptions& options) {
  options.threads = flags.threads;
  options.host = flags.host;
  options.batch = BatchSpanProcessorOptions::FromEnv();
  options.resource_attributes = EnvOr("OTEL_RESOURCE_ATTRIBUTES", "");
  options.sampler = SamplerConfigFromEnv();
  if (!flags.sampler.empty()) options.sampler.name = flags.sampler;
  if (!flags.sampler_arg.empty()) options.sampler.arg = flags.sampler_arg;
  if (!flags.broker.empty()) {
    std::string error;
    if (!ParseAmqpUrl(flags.broker, error)) {
      std::cerr << "traceproof serve: --broker: " << error << "\n";
      return kExitUsage;
    }
    options.amqp_url = flags.broker;
    fmt::print("queues over the AMQP broker at {}\n", flags.broker);
  }
  try {
    OtlpTargetFlags target_flags;
    target_flags.endpoint = flags.otlp_endpoint;
    target_flags.protocol = flags.otlp_protocol;
    target_flags.headers = flags.otlp_headers;
    const OtlpTarget target = ResolveOtlpTarget(target_flags, getenv);
    options.make_exporter = MakeExporterFactory(target);
    fmt::print("exporting spans over {}\n", DescribeOtlpTarget(target));
  } catch (const std::invalid_argument& e) {
    std::cerr << "traceproof serve: " << e.what() << "\n";
    return kExitUsage;
  }
  return std::nullopt;
}

// Where the ground truth goes: the --truth file, and with an admin endpoint also memory (for
// GET /truth), which passes every record on to the file.
struct GroundTruthOutputs {
  std::unique_ptr<GroundTruthJsonlWriter> file;
  std::unique_ptr<TruthLog> log;
};

std::optional<int> OpenGroundTruth(const ServeFlags& flags, GroundTruthOutputs& truth,
                                   mock::MockServicesOptions& options) {
  if (!flags.truth.empty()) {
    truth.file = std::make_unique<GroundTruthJsonlWriter>(flags.truth);
    if (!truth.file->ok()) {
      std::cerr << "traceproof serve: cannot write --truth file '" << flags.truth << "'\n";
      return kExitEnvironment;
    }
    options.ground_truth = truth.file.get();
  }
  if (flags.admin_port >= 0) {
    truth.log = std::make_unique<TruthLog>(truth.file.get());
    options.ground_truth = truth.log.get();
  }
  return std::nullopt;
}

void PrintServices(const ServiceGraph& graph, const mock::MockServices& services,
                   const std::string& host) {
  for (const auto& s : graph.services) {
    if (!s.external.empty()) {
      fmt::print("service {} is external at {}\n", s.name, s.external);
      continue;
    }
    fmt::print("service {} listening on {}:{}\n", s.name, host, services.port(s.name));
    for (const auto& r : s.routes)
      fmt::print("  {} http://{}:{}{}\n", r.method, host, services.port(s.name), r.path);
  }
}

// GET /truth from `truth_log` and GET /stats from `services`, which must outlive it.
std::unique_ptr<mock::AdminServer> StartAdmin(const ServeFlags& flags, const ServiceGraph& graph,
                                              const mock::MockServices& services,
                                              const TruthLog& truth_log, std::string& error) {
  mock::AdminSources sources;
  sources.truth = &truth_log;
  std::map<std::string, int> ports;
  for (const auto& s : graph.services)
    if (s.external.empty()) ports[s.name] = services.port(s.name);
  sources.stats = [running = &services, ports, host = flags.host] {
    mock::AdminStats a;
    a.now_unix_ns = TruthLog::NowUnixNs();
    a.host = host;
    a.ports = ports;
    a.services = running->stats();
    return a;
  };
  mock::AdminServerOptions ao;
  ao.host = flags.host;
  ao.port = static_cast<std::uint16_t>(flags.admin_port);
  return mock::StartAdminServer(ao, std::move(sources), error);
}

// Until SIGINT or SIGTERM, or --duration.
void WaitForStop(const sigset_t& stop_signals, double duration_s) {
  timespec wait{static_cast<time_t>(duration_s),
                static_cast<long>((duration_s - static_cast<long>(duration_s)) * 1e9)};
  if (duration_s > 0) {
    sigtimedwait(&stop_signals, nullptr, &wait);
  } else {
    int sig = 0;
    sigwait(&stop_signals, &sig);
  }
}

int RunServe(const ServeFlags& flags) {
  ServiceGraph graph;
  if (const std::optional<int> bad = LoadGraph(flags, graph)) return *bad;
  mock::MockServicesOptions options;
  if (const std::optional<int> bad = ServicesOptions(flags, options)) return *bad;
  GroundTruthOutputs truth;
  if (const std::optional<int> bad = OpenGroundTruth(flags, truth, options)) return *bad;

  sigset_t stop_signals = BlockStopSignals();

  std::string error;
  auto services = mock::StartMockServices(graph, options, error);
  if (!services) {
    std::cerr << "traceproof serve: " << error << "\n";
    return kExitEnvironment;
  }
  PrintServices(graph, *services, options.host);
  if (!IsLoopbackHost(options.host)) {
    // Nothing here can be secured by a flag: the mocks and the admin endpoint are plain HTTP.
    std::cerr << "traceproof serve: warning: the services"
              << (truth.log ? " and the admin endpoint" : "") << " listen on " << options.host
              << ", beyond loopback, without authentication: whoever can reach them can send "
                 "them requests"
              << (truth.log ? " and read the ground truth (GET /truth)" : "")
              << ". Keep them on a private network (a container network, a firewall), or "
                 "use --host 127.0.0.1\n";
  }
  std::unique_ptr<mock::AdminServer> admin;
  if (truth.log) {
    admin = StartAdmin(flags, graph, *services, *truth.log, error);
    if (!admin) {
      services->Stop();
      std::cerr << "traceproof serve: " << error << "\n";
      return kExitEnvironment;
    }
    fmt::print("admin endpoint on {}:{} (GET /truth?since=NS, GET /stats)\n", flags.host,
               admin->port());
  }
  std::fflush(stdout);
  WaitForStop(stop_signals, flags.duration_s);
  services->Stop();
  if (admin) admin->Stop();
  if (truth.file) truth.file->Flush();
  mock::MockServicesStats st = services->stats();
  fmt::print(
      "traceproof serve: {} requests; spans: {} started, {} exported, {} dropped (queue "
      "full), {} dropped (exporter outage), {} failed to export; {} messages published\n",
      st.requests, st.spans_started, st.spans_exported, st.spans_dropped_queue,
      st.spans_dropped_outage, st.spans_failed_export, st.messages_published);
  return kExitOk;
}

}  // namespace

std::string ResolveServicesPath(const std::string& name_or_path) {
  namespace fs = std::filesystem;
  if (fs::exists(name_or_path)) return name_or_path;
  for (const fs::path& dir : {fs::path(TRACEPROOF_PRESETS_DIR),
                              fs::read_symlink("/proc/self/exe").parent_path().parent_path() /
                                  "mock_services" / "presets"}) {
    fs::path candidate = dir / (name_or_path + ".yaml");
    if (fs::exists(candidate)) return candidate.string();
  }
  return name_or_path;  // the loader reports it as unreadable, naming it
}

CommandRun AddServeCommand(CLI::App& app) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Run mock services (a preset such as seed-checkout, checkout-baseline, checkout-queue, or a\n"
      "services YAML file) as real HTTP servers (on loopback unless --host) that emit OTLP spans.\n"
      "Example: traceproof sink --print-trees & traceproof serve seed-checkout --scale 0.1,\n"
      "then curl -X POST http://127.0.0.1:<gateway port>/checkout");
  cmd->add_option("services", flags->services, "Preset name or services YAML file")->required();
  cmd->add_option("--scale", flags->scale, "Multiply every latency (e.g. 0.1)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--otlp-endpoint", flags->otlp_endpoint,
                  "Where spans go: https://HOST:PORT for TLS, HOST:PORT or http://... plain\n"
                  "(default $OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, else localhost:4317 for grpc,\n"
                  "localhost:4318/v1/traces for http/protobuf)")
      ->type_name("URL");
  cmd->add_option("--otlp-protocol", flags->otlp_protocol,
                  "grpc or http/protobuf (default $OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL or grpc)");
  cmd->add_option("--otlp-header", flags->otlp_headers,
                  "NAME=VALUE sent with every export, e.g. 'authorization=Bearer ${TOKEN}' for a\n"
                  "sink started with --require-header (${TOKEN} from the environment; never\n"
                  "printed). Repeatable; replaces a header of that name from\n"
                  "$OTEL_EXPORTER_OTLP_HEADERS")
      ->type_name("NAME=VALUE");
  cmd->footer(
      "The exporters read the OTel SDK variables, TRACES_ ones first, flags over them:\n"
      "OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, _PROTOCOL, _CERTIFICATE (the CA to trust),\n"
      "_CLIENT_CERTIFICATE and _CLIENT_KEY (mutual TLS), _HEADERS (k=v,k2=v2, percent-encoded),\n"
      "_INSECURE (a gRPC endpoint without a scheme is TLS unless true), _TIMEOUT (ms),\n"
      "_COMPRESSION (gzip). A bad value is exit 2 naming the variable.");
  cmd->add_option("--truth", flags->truth,
                  "Write the ground truth (every span, sampled or not, with faults, and what "
                  "reached each mock: lines with \"record\":\"inbound\") as JSONL");
  cmd->add_option("--sampler", flags->sampler,
                  "Head sampler (default $OTEL_TRACES_SAMPLER or parentbased_always_on)");
  cmd->add_option("--sampler-arg", flags->sampler_arg, "Sampler argument, e.g. 0.25");
  cmd->add_option("--broker", flags->broker,
                  "Queues (publish steps, consumers) over this AMQP broker, e.g. the URL\n"
                  "`traceproof broker` prints (default: in process)");
  cmd->add_option("--host", flags->host,
                  "Address the services (and the admin endpoint) listen on, e.g. 0.0.0.0 in a "
                  "container")
      ->capture_default_str();
  cmd->add_option("--port-base", flags->port_base,
                  "Services listen on fixed ports N, N+1, ... in declaration order (default: "
                  "free ports)")
      ->check(CLI::Range(1, 65535));
  cmd->add_option("--admin-port", flags->admin_port,
                  "Serve GET /truth[?since=NS] (ground truth, JSONL) and GET /stats (exporter\n"
                  "counters, JSON) on this port (0: a free one), for a `traceproof run` whose\n"
                  "scenario has services: { external: ... }")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--duration", flags->duration_s, "Stop after SECONDS (default: until Ctrl-C)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--threads", flags->threads, "Service threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  return [flags] { return RunServe(*flags); };
}

}  // namespace traceproof
