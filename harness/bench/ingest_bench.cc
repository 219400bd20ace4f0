#include "bench/ingest_bench.h"

#include <fmt/format.h>
#include <google/protobuf/arena.h>

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "exit_codes.h"
#include "load/synthetic_spans.h"
#include "otlp/decode.h"
#include "store/trace_store.h"

namespace traceproof {
namespace {

namespace pb_collector = opentelemetry::proto::collector::trace::v1;

struct IngestFlags {
  int spans = 512;
  int attributes = 10;
  double seconds = 2.0;
};

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
  fmt::print("bench ingest: {} spans/batch, {} attributes/span, {} bytes/batch ({:.0f} B/span), "
             "{:.1f} s per measurement, 1 thread\n",
             flags.spans, flags.attributes, bytes.size(),
             static_cast<double>(bytes.size()) / flags.spans, flags.seconds);

  const double heap = Measure(flags.seconds, flags.spans, [&] {
    pb_collector::ExportTraceServiceRequest request;
    request.ParseFromString(bytes);
  });
  const double arena = Measure(flags.seconds, flags.spans, [&] {
    google::protobuf::Arena a;
    auto* request = google::protobuf::Arena::CreateMessage<pb_collector::ExportTraceServiceRequest>(&a);
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
  return kExitOk;
}

}  // namespace

CommandRun AddIngestBench(CLI::App& bench) {
  auto flags = std::make_shared<IngestFlags>();
  CLI::App* cmd = bench.add_subcommand(
      "ingest", "Spans/s/core through decode + trace store, beside libprotobuf parsing of the "
                "same bytes (heap and arena) in the same run");
  cmd->add_option("--spans", flags->spans, "Spans per batch")->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--attributes", flags->attributes, "Attributes per span")
      ->check(CLI::Range(0, 128))->capture_default_str();
  cmd->add_option("--seconds", flags->seconds, "Duration of each measurement")
      ->check(CLI::Range(0.1, 600.0))->capture_default_str();
  return [flags] { return RunIngestBench(*flags); };
}

}  // namespace traceproof
