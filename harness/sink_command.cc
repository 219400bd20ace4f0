// `traceproof sink`: the embedded OTLP sink as a standalone process, for pointing an SDK or a
// Collector at it and watching what arrives.
#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "endpoint.h"
#include "exit_codes.h"
#include "receiver/grpc_receiver.h"
#include "receiver/http_receiver.h"
#include "report/trace_json.h"
#include "report/tree_text.h"
#include "stop_signals.h"
#include "store/trace_store.h"

namespace traceproof {
namespace {

struct SinkFlags {
  std::string grpc = "127.0.0.1:4317";
  std::string http = "127.0.0.1:4318";
  bool print_trees = false;
  std::string dump;
  double duration_s = 0;
  int quiet_ms = 2000;
  std::size_t max_spans = 4'000'000;
  std::size_t max_traces = 1'000'000;
  int http_threads = 1;
  std::size_t max_body_mib = 64;
};

void PrintSummary(const IngestCounters& in, const TraceStore& store, double seconds,
                  std::size_t open_traces) {
  const auto& c = store.counters();
  auto refused = [](const auto& counts) {
    std::string parts;
    for (std::size_t i = 0; i < kRefusalReasonCount; ++i) {
      auto n = counts[i].load();
      if (n == 0) continue;
      if (!parts.empty()) parts += ", ";
      parts += fmt::format("{} {}", RefusalReasonName(static_cast<RefusalReason>(i)), n);
    }
    return parts.empty() ? std::string("none") : parts;
  };
  fmt::print("traceproof sink: summary after {:.1f} s\n", seconds);
  fmt::print("  requests  {} received, {} refused ({})\n", in.requests.load(), in.RequestsRefused(),
             refused(in.requests_refused));
  fmt::print("  spans     {} received, {} accepted, {} refused ({})\n", in.spans_received.load(),
             in.spans_accepted.load(), in.SpansRefused(), refused(in.spans_refused));
  fmt::print(
      "  traces    {} completed, {} still open; {} orphan spans, {} multi-root traces, "
      "{} duplicate span ids, {} skewed spans, {} late spans, {} evicted traces "
      "({} spans)\n",
      c.traces_completed.load(), open_traces, c.orphan_spans.load(), c.multi_root_traces.load(),
      c.duplicate_span_ids.load(), c.skewed_spans.load(), c.late_spans.load(),
      c.evicted_traces.load(), c.evicted_spans.load());
  fmt::print("  rate      {:.0f} spans/s accepted\n",
             seconds > 0 ? static_cast<double>(in.spans_accepted.load()) / seconds : 0.0);
  std::fflush(stdout);
}

int RunSink(const SinkFlags& flags) {
  std::optional<Endpoint> grpc_ep, http_ep;
  try {
    grpc_ep = ParseEndpoint("--grpc", flags.grpc);
    http_ep = ParseEndpoint("--http", flags.http);
  } catch (const std::invalid_argument& e) {
    std::cerr << "traceproof sink: " << e.what() << "\n";
    return kExitUsage;
  }
  if (!grpc_ep && !http_ep) {
    std::cerr << "traceproof sink: both receivers are off; enable --grpc or --http\n";
    return kExitUsage;
  }
  std::ofstream dump;
  if (!flags.dump.empty()) {
    dump.open(flags.dump, std::ios::trunc);
    if (!dump) {
      std::cerr << "traceproof sink: cannot write --dump file '" << flags.dump << "'\n";
      return kExitEnvironment;
    }
  }

  // Block the stop signals before any receiver thread exists, so only this thread sees them.
  sigset_t stop_signals = BlockStopSignals();

  TraceStoreOptions store_options;
  store_options.quiet_period = std::chrono::milliseconds(flags.quiet_ms);
  store_options.max_spans = flags.max_spans;
  store_options.max_traces = flags.max_traces;
  TraceStore store(store_options);
  IngestCounters counters;
  ReceiverLimits limits;
  limits.max_body_bytes = flags.max_body_mib << 20;

  std::string error;
  std::unique_ptr<GrpcReceiver> grpc;
  std::unique_ptr<HttpReceiver> http;
  if (grpc_ep) {
    grpc = StartGrpcReceiver({grpc_ep->host, grpc_ep->port, limits}, store, counters, error);
    if (!grpc) {
      std::cerr << "traceproof sink: " << error << "\n";
      return kExitEnvironment;
    }
    fmt::print("otlp/grpc listening on {}:{}\n", grpc_ep->host, grpc->port());
  }
  if (http_ep) {
    http = StartHttpReceiver({http_ep->host, http_ep->port, flags.http_threads, limits}, store,
                             counters, error);
    if (!http) {
      std::cerr << "traceproof sink: " << error << "\n";
      return kExitEnvironment;
    }
    fmt::print("otlp/http listening on {}:{}\n", http_ep->host, http->port());
  }
  std::fflush(stdout);

  std::size_t written = 0;
  auto emit = [&](bool force) {
    for (const auto& trace : store.CollectCompleted(force)) {
      if (flags.print_trees) fmt::print("{}\n", TraceTreeText(*trace));
      if (dump.is_open()) {
        dump << TraceToJson(*trace).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
             << '\n';
        ++written;
      }
    }
    std::fflush(stdout);
  };

  const auto started = std::chrono::steady_clock::now();
  const auto deadline =
      flags.duration_s > 0
          ? started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                          std::chrono::duration<double>(flags.duration_s))
          : std::chrono::steady_clock::time_point::max();
  while (std::chrono::steady_clock::now() < deadline) {
    timespec tick{0, 100'000'000};
    if (sigtimedwait(&stop_signals, nullptr, &tick) > 0) break;
    emit(false);
  }
  if (grpc) grpc->Stop();
  if (http) http->Stop();
  emit(true);
  if (dump.is_open()) {
    dump.flush();
    if (!dump) {
      std::cerr << "traceproof sink: writing '" << flags.dump << "' failed\n";
      return kExitEnvironment;
    }
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  PrintSummary(counters, store, seconds, 0);
  if (dump.is_open()) fmt::print("  dump      {} traces written to {}\n", written, flags.dump);
  return kExitOk;
}

}  // namespace

CommandRun AddSinkCommand(CLI::App& app) {
  auto flags = std::make_shared<SinkFlags>();
  CLI::App* cmd = app.add_subcommand(
      "sink",
      "Run the embedded OTLP sink until Ctrl-C/SIGTERM or --duration.\n"
      "Point an SDK at it with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317 (gRPC) or\n"
      "http://127.0.0.1:4318 (HTTP), or a Collector's otlp exporter at 127.0.0.1:4317.\n"
      "A trace is printed/dumped once no span has arrived for it for --quiet-ms.");
  cmd->add_option("--grpc", flags->grpc,
                  "OTLP/gRPC listen address, HOST:PORT; port 0 picks a "
                  "free port (printed); 'off' disables")
      ->capture_default_str();
  cmd->add_option("--http", flags->http,
                  "OTLP/HTTP listen address (POST /v1/traces, protobuf "
                  "or JSON); same forms as --grpc")
      ->capture_default_str();
  cmd->add_flag("--print-trees", flags->print_trees,
                "Print each completed trace as an indented tree (service, operation, duration)");
  cmd->add_option("--dump", flags->dump,
                  "Write one JSON object per completed trace (JSONL) to FILE");
  cmd->add_option("--duration", flags->duration_s,
                  "Stop after SECONDS (default: run until "
                  "signalled)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--quiet-ms", flags->quiet_ms,
                  "A trace is complete after this many ms "
                  "without new spans")
      ->check(CLI::Range(1, 3'600'000))
      ->capture_default_str();
  cmd->add_option("--max-spans", flags->max_spans,
                  "Memory bound: spans held at once; when "
                  "full, completed traces are evicted, then clients get 429/RESOURCE_EXHAUSTED")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-traces", flags->max_traces, "Memory bound: traces held at once")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--http-threads", flags->http_threads, "Threads serving OTLP/HTTP")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--max-body-mib", flags->max_body_mib,
                  "Largest request body accepted, "
                  "after decompression (413 / gRPC limit beyond)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  return [flags] { return RunSink(*flags); };
}

}  // namespace traceproof
