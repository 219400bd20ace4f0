// `traceproof sink`: the embedded OTLP sink as a standalone process, for pointing an SDK or a
// Collector at it and watching what arrives.
#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"
#include "config/required_header.h"
#include "endpoint.h"
#include "exit_codes.h"
#include "listen_warning.h"
#include "report/trace_json.h"
#include "report/tree_text.h"
#include "sink/sink.h"
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
  // Longer than the official SDKs' default batch export interval (OTEL_BSP_SCHEDULE_DELAY,
  // 5 s) with margin: a trace whose spans two services export 5 s apart completes once, whole.
  int quiet_ms = 8000;
  std::size_t max_spans = 4'000'000;
  std::size_t max_traces = 1'000'000;
  int http_threads = 1;
  std::size_t max_body_mib = 64;
  std::size_t max_connections = ReceiverLimits{}.max_connections;
  std::vector<std::string> require_headers;  // NAME=VALUE, ${ENV} expanded; never printed
  std::string tls_cert;                      // PEM files; all empty: plain text
  std::string tls_key;
  std::string tls_client_ca;
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
      "{} duplicate span ids, {} skewed spans, {} late spans in {} update records, "
      "{} evicted traces ({} spans)\n",
      c.traces_completed.load() - c.update_records.load(), open_traces, c.orphan_spans.load(),
      c.multi_root_traces.load(), c.duplicate_span_ids.load(), c.skewed_spans.load(),
      c.late_spans.load(), c.update_records.load(), c.evicted_traces.load(),
      c.evicted_spans.load());
  fmt::print("  rate      {:.0f} spans/s accepted\n",
             seconds > 0 ? static_cast<double>(in.spans_accepted.load()) / seconds : 0.0);
  std::fflush(stdout);
}

// --grpc and --http as the sink's listen addresses; false, after saying why, for a usage error.
bool ListenFlags(const SinkFlags& flags, SinkOptions& options) {
  auto address = [](const std::optional<Endpoint>& ep) -> std::optional<ListenAddress> {
    if (!ep) return std::nullopt;
    return ListenAddress{ep->host, ep->port};
  };
  try {
    options.grpc = address(ParseEndpoint("--grpc", flags.grpc));
    options.http = address(ParseEndpoint("--http", flags.http));
  } catch (const std::invalid_argument& e) {
    std::cerr << "traceproof sink: " << e.what() << "\n";
    return false;
  }
  if (!options.grpc && !options.http) {
    std::cerr << "traceproof sink: both receivers are off; enable --grpc or --http\n";
    return false;
  }
  return true;
}

// --require-header into the receivers' limits; false, after saying why, for a usage error. The
// message names the header or variable, never the value.
bool RequireHeaderFlags(const SinkFlags& flags, SinkOptions& options) {
  std::string error;
  std::optional<RequiredHeaders> headers = ParseRequiredHeaders(flags.require_headers, error);
  if (!headers) {
    std::cerr << "traceproof sink: --require-header " << error << "\n";
    return false;
  }
  options.limits.required_headers = std::move(*headers);
  return true;
}

// --tls-cert, --tls-key and --tls-client-ca into the options; false, after saying why, for a
// usage error (one without the other, an unreadable file).
bool TlsFlags(const SinkFlags& flags, SinkOptions& options) {
  if (flags.tls_cert.empty() && flags.tls_key.empty() && flags.tls_client_ca.empty()) return true;
  if (flags.tls_cert.empty() || flags.tls_key.empty()) {
    std::cerr << "traceproof sink: TLS needs both --tls-cert and --tls-key\n";
    return false;
  }
  std::string error;
  options.tls = ReadReceiverTls(flags.tls_cert, flags.tls_key, flags.tls_client_ca, error);
  // A file that is not what its flag says is a usage error, told before anything listens.
  if (options.tls && !TlsUsable(*options.tls, error)) options.tls.reset();
  if (!options.tls) std::cerr << "traceproof sink: " << error << "\n";
  return options.tls.has_value();
}

// Where the sink listens, and what a client must send; the warning when it is open to anyone.
void PrintListening(const SinkOptions& options, const Sink& sink) {
  const bool authenticated = !options.limits.required_headers.empty() || options.tls;
  auto print = [&](const char* what, const ListenAddress& at, std::uint16_t port) {
    const std::string address = fmt::format("{}:{}", at.host, port);
    fmt::print("{} listening on {}\n", what, address);
    const std::string warning = SinkExposureWarning("sink", what, at.host, address, authenticated);
    if (!warning.empty()) std::cerr << warning << "\n";
  };
  if (options.grpc) print("otlp/grpc", *options.grpc, sink.grpc_port());
  if (options.http) print("otlp/http", *options.http, sink.http_port());
  if (options.tls) {
    fmt::print("TLS 1.2+ on {}{}\n",
               options.grpc && options.http ? "both receivers" : "the receiver",
               options.tls->client_ca_pem.empty()
                   ? ""
                   : "; clients must present a certificate signed by --tls-client-ca");
  }
  if (!options.limits.required_headers.empty()) {
    fmt::print("requests must carry the header(s) {} (others: 401 / UNAUTHENTICATED)\n",
               RequiredHeaderNames(options.limits.required_headers));
  }
  std::fflush(stdout);
}

TraceStoreOptions StoreOptions(const SinkFlags& flags) {
  TraceStoreOptions o;
  o.quiet_period = std::chrono::milliseconds(flags.quiet_ms);
  o.max_spans = flags.max_spans;
  o.max_traces = flags.max_traces;
  return o;
}

// "update 4bf9...: 2 late spans (checkout POST /charge, payments charge-card)": a trace printed
// before got more spans; its tree is not printed again.
std::string UpdateLine(const Trace& trace) {
  std::string names;
  const std::size_t shown = std::min<std::size_t>(trace.NewSpanCount(), 3);
  for (std::size_t i = trace.new_from; i < trace.new_from + shown; ++i) {
    if (!names.empty()) names += ", ";
    names += fmt::format("{} {}", trace.spans[i].service_name, trace.spans[i].name);
  }
  if (trace.NewSpanCount() > shown) names += ", ...";
  return fmt::format("update {}: {} late span{} ({}){}", trace.id.Hex(), trace.NewSpanCount(),
                     trace.NewSpanCount() == 1 ? "" : "s", names,
                     trace.follows_evicted ? "; the trace was evicted before" : "");
}

// Where completed traces go: --print-trees to stdout, --dump to a JSONL file. Not thread-safe:
// the command's own thread writes.
class TraceOutput {
 public:
  explicit TraceOutput(const SinkFlags& flags) : flags_(flags) {}

  bool Open() {
    if (flags_.dump.empty()) return true;
    dump_.open(flags_.dump, std::ios::trunc);
    if (dump_) return true;
    std::cerr << "traceproof sink: cannot write --dump file '" << flags_.dump << "'\n";
    return false;
  }

  // The traces that completed since the last call (`force`: every trace still open too).
  void Emit(TraceStore& store, bool force) {
    for (const auto& trace : store.CollectCompleted(force)) {
      if (flags_.print_trees) {
        fmt::print("{}\n", trace->IsUpdate() ? UpdateLine(*trace) : TraceTreeText(*trace));
      }
      if (dump_.is_open()) {
        line_.clear();
        AppendTraceJson(*trace, line_);
        line_ += '\n';
        dump_ << line_;
        ++(trace->IsUpdate() ? updates_written_ : written_);
      }
    }
    std::fflush(stdout);
  }

  bool Close() {
    if (!dump_.is_open()) return true;
    dump_.flush();
    if (dump_) return true;
    std::cerr << "traceproof sink: writing '" << flags_.dump << "' failed\n";
    return false;
  }

  void PrintDumped() const {
    if (dump_.is_open()) {
      fmt::print("  dump      {} traces and {} update records written to {}\n", written_,
                 updates_written_, flags_.dump);
    }
  }

 private:
  const SinkFlags& flags_;
  std::ofstream dump_;
  std::string line_;  // kept between records: its capacity is reused
  std::size_t written_ = 0;
  std::size_t updates_written_ = 0;
};

// Until SIGINT/SIGTERM or `duration_s` (0: no limit), calling `tick` every 100 ms.
void ServeUntilStopped(const sigset_t& stop_signals, double duration_s,
                       const std::function<void()>& tick) {
  const auto deadline = duration_s > 0
                            ? std::chrono::steady_clock::now() +
                                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                      std::chrono::duration<double>(duration_s))
                            : std::chrono::steady_clock::time_point::max();
  while (std::chrono::steady_clock::now() < deadline) {
    timespec interval{0, 100'000'000};
    if (sigtimedwait(&stop_signals, nullptr, &interval) > 0) break;
    tick();
  }
}

int RunSink(const SinkFlags& flags) {
  SinkOptions options;
  if (!ListenFlags(flags, options)) return kExitUsage;
  if (!RequireHeaderFlags(flags, options)) return kExitUsage;
  if (!TlsFlags(flags, options)) return kExitUsage;
  options.http_threads = flags.http_threads;
  options.limits.max_body_bytes = flags.max_body_mib << 20;
  options.limits.max_connections = flags.max_connections;
  TraceOutput output(flags);
  if (!output.Open()) return kExitEnvironment;

  // Block the stop signals before any receiver thread exists, so only this thread sees them.
  const sigset_t stop_signals = BlockStopSignals();
  TraceStore store(StoreOptions(flags));
  SinkStartError error;
  std::unique_ptr<Sink> sink = MakeSink(options, store, error);
  if (!sink) {
    std::cerr << "traceproof sink: " << error.reason << "\n";
    return kExitEnvironment;
  }
  PrintListening(options, *sink);

  const auto started = std::chrono::steady_clock::now();
  ServeUntilStopped(stop_signals, flags.duration_s, [&] { output.Emit(store, false); });
  sink->Stop();
  output.Emit(store, true);
  if (!output.Close()) return kExitEnvironment;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  PrintSummary(sink->counters(), store, seconds, 0);
  output.PrintDumped();
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
      "A trace is printed/dumped once no span has arrived for it for --quiet-ms; spans that\n"
      "arrive later are printed as an 'update TRACE: N late spans' line and dumped as an update\n"
      "record ({\"trace_id\", \"update\": true, \"spans\": only the late ones}), and counted.");
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
                  "A trace is complete after this many ms without new spans. The default is "
                  "longer than the SDKs' default export interval (OTEL_BSP_SCHEDULE_DELAY, "
                  "5000 ms) with margin, so a trace whose services export at different times "
                  "is still dumped once, whole")
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
  cmd->add_option("--max-connections", flags->max_connections,
                  "Open OTLP/HTTP connections at most; one more gets 503 with Retry-After and is\n"
                  "closed, counted as too_many_connections (idle or slow clients cannot starve\n"
                  "exporters of file descriptors; a request not read within 60 s is dropped too)")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--require-header", flags->require_headers,
                  "NAME=VALUE that every export request must carry, e.g.\n"
                  "'authorization=Bearer ${TOKEN}' (single quotes: the sink expands ${TOKEN}\n"
                  "from its environment, so the token is not on the command line). Repeatable.\n"
                  "Others get 401 / UNAUTHENTICATED, counted as 'unauthenticated'. Values are\n"
                  "compared in constant time and never printed")
      ->type_name("NAME=VALUE");
  cmd->add_option("--tls-cert", flags->tls_cert,
                  "Serve both receivers over TLS (1.2+) with this PEM certificate chain (with\n"
                  "--tls-key); plain text on a TLS port is refused and counted as tls_handshake\n"
                  "(on OTLP/HTTP; gRPC refuses it before any call)")
      ->type_name("FILE");
  cmd->add_option("--tls-key", flags->tls_key, "The PEM private key of --tls-cert")
      ->type_name("FILE");
  cmd->add_option("--tls-client-ca", flags->tls_client_ca,
                  "Mutual TLS: clients must present a certificate signed by these PEM CAs")
      ->type_name("FILE");
  return [flags] { return RunSink(*flags); };
}

}  // namespace traceproof
