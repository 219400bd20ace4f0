#include "bench/ingest_bench.h"

#include <fmt/format.h>
#include <google/protobuf/arena.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "bench/bench_figures.h"
#include "exit_codes.h"
#include "load/span_sender.h"
#include "load/synthetic_spans.h"
#include "otlp/decode.h"
#include "otlp_target.h"
#include "sink/sink.h"
#include "store/trace_store.h"

namespace traceproof {
namespace {

namespace pb_collector = opentelemetry::proto::collector::trace::v1;

struct IngestFlags {
  int spans = 512;
  int attributes = 10;
  double seconds = 2.0;
  double e2e_seconds = 3.0;
  int connections = 2;
  std::string figures_json;
};

struct SendFlags {
  std::string protocol;  // empty: OTEL_EXPORTER_OTLP_PROTOCOL's, else grpc
  std::string endpoint;  // empty: --host/--port, else the variables
  std::string host = "127.0.0.1";
  int port = 0;
  std::vector<std::string> headers;
  bool no_otel_env = false;
  double seconds = 3;
  int connections = 2;
  int spans = 512;
  int attributes = 10;
  // CLI11 here sets a std::optional it is bound to even when the flag is absent, so whether
  // --seed was given is read from the option's count.
  std::uint64_t seed = 0;
  CLI::Option* seed_option = nullptr;
};

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto sec = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return sec(ru.ru_utime) + sec(ru.ru_stime);
}

// Runs a sink in this process and `traceproof bench send` as a separate process against it, so
// the figure includes the wire, the receiver and the store but not the sender's CPU.
// Spans accepted per second of the sink's CPU; 0 when it could not run.
double EndToEnd(const IngestFlags& flags, OtlpProtocol protocol) {
  TraceStoreOptions store_options;
  store_options.quiet_period = std::chrono::milliseconds(100);
  TraceStore store(store_options);
  // Only the receiver under test.
  SinkOptions sink_options;
  if (protocol == OtlpProtocol::kGrpc) {
    sink_options.http.reset();
  } else {
    sink_options.grpc.reset();
  }
  SinkStartError error;
  const std::unique_ptr<Sink> sink = MakeSink(sink_options, store, error);
  const char* name = protocol == OtlpProtocol::kGrpc ? "grpc" : "http";
  if (!sink) {
    fmt::print("  end-to-end {}: cannot start receiver: {}\n", name, error.reason);
    return 0;
  }
  const std::uint16_t port = sink_options.grpc ? sink->grpc_port() : sink->http_port();
  const IngestCounters& counters = sink->counters();
  std::string cmd = fmt::format(
      "exec /proc/{}/exe bench send --no-otel-env --protocol {} --port {} --seconds {} "
      "--connections {} "
      "--spans {} --attributes {}",
      getpid(), name, port, flags.e2e_seconds, flags.connections, flags.spans, flags.attributes);
  const double cpu0 = CpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  const std::uint64_t accepted0 = counters.spans_accepted.load();
  FILE* child = popen(cmd.c_str(), "r");
  if (!child) {
    fmt::print("  end-to-end {}: cannot start sender process\n", name);
    return 0;
  }
  // Completed traces are collected as a sink run would, so the store can evict them.
  std::string child_out;
  std::thread reader([&] {
    char buf[512];
    while (fgets(buf, sizeof buf, child)) child_out += buf;
  });
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    store.CollectCompleted();
    if (std::chrono::steady_clock::now() - t0 >
        std::chrono::duration<double>(flags.e2e_seconds + 0.05))
      break;
  }
  reader.join();
  pclose(child);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = CpuSeconds() - cpu0;
  const double accepted = static_cast<double>(counters.spans_accepted.load() - accepted0);
  fmt::print(
      "  {:<40} {:>12.0f} spans/s wall, {:.2f} sink CPU-s in {:.2f} s = {:.0f} "
      "spans/s per sink core; refused {}, evicted {} traces\n",
      fmt::format("end-to-end loopback OTLP/{} ", name == std::string("grpc") ? "gRPC" : "HTTP"),
      accepted / wall, cpu, wall, cpu > 0 ? accepted / cpu : 0.0, counters.SpansRefused(),
      store.counters().evicted_traces.load());
  fmt::print("  {:<40} {}", "  sender process", child_out);
  return cpu > 0 ? accepted / cpu : 0.0;
}

// Runs `body` (which processes one batch) repeatedly for about `seconds`; spans per second.
double Measure(double seconds, int spans_per_batch, const std::function<void()>& body) {
  using clock = std::chrono::steady_clock;
  for (int i = 0; i < 20; ++i) body();  // warm caches and allocators
  std::uint64_t batches = 0;
  const auto start = clock::now();
  const auto stop = start + std::chrono::duration<double>(seconds);
  auto now = start;
  while (now < stop) {
    for (int i = 0; i < 16; ++i) body();
    batches += 16;
    now = clock::now();
  }
  double elapsed = std::chrono::duration<double>(now - start).count();
  return static_cast<double>(batches) * spans_per_batch / elapsed;
}

int RunIngestBench(const IngestFlags& flags) {
  SyntheticSpanOptions options;
  options.spans = flags.spans;
  options.attributes_per_span = flags.attributes;
  const std::string bytes = MakeSyntheticRequest(options).SerializeAsString();
  fmt::print(
      "bench ingest: {} spans/batch, {} attributes/span, {} bytes/batch ({:.0f} B/span), "
      "{:.1f} s per measurement, 1 thread\n",
      flags.spans, flags.attributes, bytes.size(), static_cast<double>(bytes.size()) / flags.spans,
      flags.seconds);

  const double heap = Measure(flags.seconds, flags.spans, [&] {
    pb_collector::ExportTraceServiceRequest request;
    request.ParseFromString(bytes);
  });
  const double arena = Measure(flags.seconds, flags.spans, [&] {
    google::protobuf::Arena a;
    auto* request =
        google::protobuf::Arena::CreateMessage<pb_collector::ExportTraceServiceRequest>(&a);
    request->ParseFromString(bytes);
  });
  // Every batch must bring new traces, as real traffic does, or the store would only append
  // to a few hot traces: cycle through distinct batches and start a new store after each
  // cycle (its teardown is timed too, as eviction would be). Each batch is copied first, as
  // a receiver's read off the socket would.
  constexpr int kDistinct = 64;
  std::vector<std::string> distinct;
  for (int i = 0; i < kDistinct; ++i) {
    SyntheticSpanOptions o = options;
    o.seed = static_cast<std::uint64_t>(i) + 100;
    distinct.push_back(MakeSyntheticRequest(o).SerializeAsString());
  }
  TraceStoreOptions store_options;
  auto store = std::make_unique<TraceStore>(store_options);
  std::size_t next = 0;
  const double decode_only = Measure(flags.seconds, flags.spans, [&] {
    auto owned = std::make_shared<const std::string>(distinct[next++ % kDistinct]);
    DecodeResult r = DecodeExportRequest(owned);
    if (!r.ok()) std::abort();
  });
  next = 0;
  const double decode_store = Measure(flags.seconds, flags.spans, [&] {
    if (next % kDistinct == 0) store = std::make_unique<TraceStore>(store_options);
    auto owned = std::make_shared<const std::string>(distinct[next++ % kDistinct]);
    DecodeResult r = DecodeExportRequest(owned);
    store->Consume(std::move(r.batch));
  });

  fmt::print("  {:<40} {:>12.0f} spans/s\n", "libprotobuf ParseFromString (heap)", heap);
  fmt::print("  {:<40} {:>12.0f} spans/s\n", "libprotobuf ParseFromString (arena)", arena);
  fmt::print("  {:<40} {:>12.0f} spans/s\n", "traceproof decode (lazy)", decode_only);
  fmt::print("  {:<40} {:>12.0f} spans/s  = {:.2f}x arena parse, {:.2f}x heap parse\n",
             "traceproof decode + store", decode_store, decode_store / arena, decode_store / heap);
  std::vector<BenchFigure> figures = {{"bench ingest: decode + store, 1 thread", decode_store,
                                       "spans/s", "libprotobuf ParseFromString (arena)", arena,
                                       decode_store / arena, ">= 6x the peer",
                                       decode_store / arena >= 6, ""}};
  if (flags.e2e_seconds > 0) {
    fmt::print(
        "end-to-end: sender is a separate process with {} connections; the sink's CPU "
        "time (all its threads) is measured\n",
        flags.connections);
    const double http = EndToEnd(flags, OtlpProtocol::kHttpProtobuf);
    const double grpc = EndToEnd(flags, OtlpProtocol::kGrpc);
    figures.push_back({"bench ingest: end-to-end loopback OTLP/gRPC", grpc, "spans/s per sink core",
                       "", 0, 0, ">= 1M spans/s per sink core", grpc >= 1e6, ""});
    figures.push_back({"bench ingest: end-to-end loopback OTLP/HTTP", http, "spans/s per sink core",
                       "OTLP/gRPC in the same run", grpc, grpc > 0 ? http / grpc : 0,
                       ">= 1M spans/s per sink core and >= 0.8x gRPC",
                       http >= 1e6 && grpc > 0 && http / grpc >= 0.8, ""});
  }
  return WriteFigures(flags.figures_json, figures) ? kExitOk : kExitEnvironment;
}

}  // namespace

CommandRun AddIngestBench(CLI::App& bench) {
  auto flags = std::make_shared<IngestFlags>();
  CLI::App* cmd = bench.add_subcommand(
      "ingest",
      "Spans/s/core through decode + trace store, beside libprotobuf parsing of the "
      "same bytes (heap and arena) in the same run");
  cmd->add_option("--spans", flags->spans, "Spans per batch")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--attributes", flags->attributes, "Attributes per span")
      ->check(CLI::Range(0, 128))
      ->capture_default_str();
  cmd->add_option("--seconds", flags->seconds, "Duration of each measurement")
      ->check(CLI::Range(0.1, 600.0))
      ->capture_default_str();
  cmd->add_option("--e2e-seconds", flags->e2e_seconds,
                  "Duration of each end-to-end run over "
                  "loopback (HTTP, gRPC); 0 skips them")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  cmd->add_option("--connections", flags->connections, "Sender connections for end-to-end runs")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  AddFiguresOption(*cmd, flags->figures_json);
  return [flags] { return RunIngestBench(*flags); };
}

namespace {

int RunSend(const SendFlags& flags) {
  OtlpTargetFlags target_flags;
  target_flags.protocol = flags.protocol;
  target_flags.endpoint = flags.endpoint;
  if (flags.endpoint.empty() && flags.port > 0)
    target_flags.endpoint = flags.host.find(':') != std::string::npos
                                ? fmt::format("[{}]:{}", flags.host, flags.port)
                                : fmt::format("{}:{}", flags.host, flags.port);
  target_flags.headers = flags.headers;
  target_flags.headers_flag = "--header";
  target_flags.endpoint_flag = flags.endpoint.empty() ? "--host/--port" : "--endpoint";
  target_flags.use_env = !flags.no_otel_env;
  OtlpTarget target;
  try {
    target = ResolveOtlpTarget(target_flags, getenv);
  } catch (const std::invalid_argument& e) {
    std::cerr << "bench send: " << e.what() << "\n";
    return kExitUsage;
  }
  SpanSenderOptions o;
  o.protocol = target.endpoint.grpc ? OtlpProtocol::kGrpc : OtlpProtocol::kHttpProtobuf;
  o.host = target.endpoint.host;
  o.port = target.endpoint.port;
  o.path = target.endpoint.path;
  o.tls = target.tls;
  o.headers = target.headers;
  o.gzip = target.gzip;
  o.seconds = flags.seconds;
  o.connections = flags.connections;
  o.batch.spans = flags.spans;
  o.batch.attributes_per_span = flags.attributes;
  if (flags.seed_option->count() > 0) o.seed = flags.seed;
  SpanSenderStats st = RunSpanSender(o);
  fmt::print(
      "{} spans in {} requests over {:.2f} s ({:.0f} spans/s); errors: connect {}, "
      "status {}, io {}; seed {}\n",
      st.spans_ok, st.requests_ok, st.seconds,
      st.seconds > 0 ? static_cast<double>(st.spans_ok) / st.seconds : 0.0, st.connect_errors,
      st.status_errors, st.io_errors, st.seed);
  if (!st.error.empty()) std::cerr << "bench send: " << st.error << "\n";
  return st.requests_ok > 0 ? kExitOk : kExitEnvironment;
}

}  // namespace

CommandRun AddSendBench(CLI::App& bench) {
  auto flags = std::make_shared<SendFlags>();
  CLI::App* cmd = bench.add_subcommand(
      "send",
      "Span load: send synthetic OTLP batches (fresh trace ids each time) as fast as the "
      "receiver answers, then print what was sent (used by bench ingest)");
  cmd->add_option("--protocol", flags->protocol,
                  "grpc or http (http/protobuf); default $OTEL_EXPORTER_OTLP_PROTOCOL or grpc")
      ->check(CLI::IsMember({"grpc", "http", "http/protobuf"}));
  cmd->add_option("--endpoint", flags->endpoint,
                  "Receiver URL: https://HOST:PORT for TLS, http://HOST:PORT[/path] or HOST:PORT\n"
                  "(plain text). Default: --host/--port when --port is given, else\n"
                  "$OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, else localhost:4317 / :4318/v1/traces")
      ->type_name("URL");
  cmd->add_option("--host", flags->host, "Receiver address, with --port")->capture_default_str();
  cmd->add_option("--port", flags->port, "Receiver port (plain text)")->check(CLI::Range(1, 65535));
  cmd->add_option("--header", flags->headers,
                  "NAME=VALUE sent with every request, e.g. 'authorization=Bearer ${TOKEN}'\n"
                  "(${TOKEN} from the environment; never printed). Repeatable; added to\n"
                  "$OTEL_EXPORTER_OTLP_HEADERS")
      ->type_name("NAME=VALUE");
  cmd->add_flag("--no-otel-env", flags->no_otel_env,
                "Ignore the OTEL_EXPORTER_OTLP_* variables (TLS files, headers, compression,\n"
                "endpoint), as bench ingest does for its own sink");
  cmd->footer(
      "The OTel SDK variables apply unless --no-otel-env: OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT,\n"
      "_PROTOCOL, _CERTIFICATE, _CLIENT_CERTIFICATE, _CLIENT_KEY, _HEADERS, _INSECURE,\n"
      "_COMPRESSION (gzip); flags win over them.");
  cmd->add_option("--seconds", flags->seconds)
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  cmd->add_option("--connections", flags->connections)
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--spans", flags->spans, "Spans per batch")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--attributes", flags->attributes)
      ->check(CLI::Range(0, 128))
      ->capture_default_str();
  flags->seed_option = cmd->add_option(
      "--seed", flags->seed,
      "Repeat the ids of an earlier send with this seed (default: a seed of this "
      "process's own, so concurrent senders never send the same trace or span ids)");
  return [flags] { return RunSend(*flags); };
}

}  // namespace traceproof
