#include "bench/tracer_bench.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "bench/bench_figures.h"
#include "exit_codes.h"
#include "tracing/batch_span_processor.h"
#include "tracing/tracer.h"

namespace traceproof {
namespace {

struct TracerFlags {
  double seconds = 2;
  std::string node = "node";
  std::string figures_json;
};

class NullExporter final : public SpanExporter {
 public:
  ExportResult Export(const std::vector<FinishedSpan>&) noexcept override { return {}; }
};

// Node's own figure, or a negative number with the reason printed.
double NodePeer(const TracerFlags& flags) {
  namespace fs = std::filesystem;
  fs::path script = fs::path(TRACEPROOF_SOURCE_DIR) / "tests" / "bench" / "node_tracer_bench.js";
  fs::path modules = fs::path(TRACEPROOF_SOURCE_DIR) / "node_modules";
  if (!fs::exists(modules / "@opentelemetry" / "sdk-trace-base")) {
    fmt::print("  peer: Node SDK not installed ({} missing; run scripts/bootstrap)\n",
               modules.string());
    return -1;
  }
  std::string cmd = fmt::format("cd '{}' && '{}' '{}' {} 2>&1", TRACEPROOF_SOURCE_DIR, flags.node,
                                script.string(), flags.seconds);
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) out += buf;
  int rc = pclose(p);
  double ns = -1;
  if (rc == 0 && std::sscanf(out.c_str(), "{\"ns_per_span\":%lf", &ns) == 1) return ns;
  fmt::print("  peer: Node SDK run failed: {}\n", out);
  return -1;
}

int RunTracerBench(const TracerFlags& flags) {
  BatchSpanProcessorOptions bsp;
  bsp.max_queue_size = 1 << 20;
  bsp.max_export_batch_size = 512;
  bsp.schedule_delay = std::chrono::milliseconds(100);
  BatchSpanProcessor processor(std::make_unique<NullExporter>(), bsp);
  TracerOptions options;
  options.processor = &processor;
  Tracer tracer(options);
  auto one = [&tracer] {
    Span span = tracer.StartSpan("GET /bench", SpanKind::kServer, std::nullopt);
    span.SetAttribute("http.request.method", "GET");
    span.SetAttribute("http.route", "/bench");
    span.SetAttribute("http.response.status_code", 200);
    span.SetAttribute("server.address", "bench.local");
    span.SetAttribute("url.path", "/bench");
    span.End();
  };
  for (int i = 0; i < 20000; ++i) one();
  using clock = std::chrono::steady_clock;
  std::uint64_t spans = 0;
  const auto start = clock::now();
  const auto deadline = start + std::chrono::duration<double>(flags.seconds);
  while (clock::now() < deadline) {
    for (int i = 0; i < 10000; ++i) one();
    spans += 10000;
  }
  const double ns = std::chrono::duration<double, std::nano>(clock::now() - start).count() /
                    static_cast<double>(spans);
  processor.Shutdown();
  fmt::print("bench tracer: start + 5 attributes + end + batch enqueue, 1 thread, {:.1f} s\n",
             flags.seconds);
  fmt::print("  {:<34} {:>8.1f} ns/span  ({} spans, {} dropped by a full queue)\n",
             "traceproof tracer", ns, spans, processor.dropped_spans());
  const double node = NodePeer(flags);
  if (node > 0) {
    fmt::print("  {:<34} {:>8.1f} ns/span\n", "OpenTelemetry JS SDK (Node)", node);
    fmt::print("  ratio: traceproof is {:.1f}x faster per span\n", node / ns);
  }
  BenchFigure f{"bench tracer: start + 5 attributes + end",
                ns,
                "ns/span",
                "OpenTelemetry JS SDK (Node)",
                node,
                node > 0 ? node / ns : 0,
                "<= 250 ns and >= 20x the peer",
                std::nullopt,
                ""};
  if (node > 0)
    f.met = ns <= 250 && f.ratio >= 20;
  else
    f.note = "the Node SDK peer did not run";
  return WriteFigures(flags.figures_json, {f}) ? kExitOk : kExitEnvironment;
}

}  // namespace

CommandRun AddTracerBench(CLI::App& bench) {
  auto flags = std::make_shared<TracerFlags>();
  CLI::App* cmd = bench.add_subcommand(
      "tracer", "ns/span for start + 5 attributes + end + enqueue, beside the official Node SDK");
  cmd->add_option("--seconds", flags->seconds)
      ->check(CLI::Range(0.1, 600.0))
      ->capture_default_str();
  cmd->add_option("--node", flags->node, "Node.js binary for the peer")->capture_default_str();
  AddFiguresOption(*cmd, flags->figures_json);
  return [flags] { return RunTracerBench(*flags); };
}

}  // namespace traceproof
