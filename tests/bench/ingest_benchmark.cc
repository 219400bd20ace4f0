// Google Benchmark view of ingest: the sink's lazy decode and decode + store beside
// libprotobuf's ParseFromString (heap and arena) of the same 512-span batches, so the ratio is
// read from one run. Items are spans: compare items_per_second across the four.
//   build/ingest_benchmark --benchmark_min_time=2
#include <benchmark/benchmark.h>
#include <google/protobuf/arena.h>

#include <memory>
#include <string>
#include <vector>

#include "load/synthetic_spans.h"
#include "otlp/decode.h"
#include "store/trace_store.h"

namespace traceproof {
namespace {

namespace pbc = opentelemetry::proto::collector::trace::v1;

constexpr int kSpans = 512;
constexpr int kDistinct = 64;

const std::vector<std::string>& Batches() {
  static const std::vector<std::string> batches = [] {
    std::vector<std::string> out;
    for (int i = 0; i < kDistinct; ++i) {
      SyntheticSpanOptions o;
      o.spans = kSpans;
      o.seed = static_cast<std::uint64_t>(i) + 1;
      out.push_back(MakeSyntheticRequest(o).SerializeAsString());
    }
    return out;
  }();
  return batches;
}

void BM_ProtobufParseHeap(benchmark::State& state) {
  std::size_t i = 0;
  for (auto _ : state) {
    pbc::ExportTraceServiceRequest request;
    benchmark::DoNotOptimize(request.ParseFromString(Batches()[i++ % kDistinct]));
  }
  state.SetItemsProcessed(state.iterations() * kSpans);
}
BENCHMARK(BM_ProtobufParseHeap);

void BM_ProtobufParseArena(benchmark::State& state) {
  std::size_t i = 0;
  for (auto _ : state) {
    google::protobuf::Arena arena;
    auto* request = google::protobuf::Arena::CreateMessage<pbc::ExportTraceServiceRequest>(&arena);
    benchmark::DoNotOptimize(request->ParseFromString(Batches()[i++ % kDistinct]));
  }
  state.SetItemsProcessed(state.iterations() * kSpans);
}
BENCHMARK(BM_ProtobufParseArena);

void BM_TraceproofDecode(benchmark::State& state) {
  std::size_t i = 0;
  for (auto _ : state) {
    auto bytes = std::make_shared<const std::string>(Batches()[i++ % kDistinct]);
    benchmark::DoNotOptimize(DecodeExportRequest(std::move(bytes)));
  }
  state.SetItemsProcessed(state.iterations() * kSpans);
}
BENCHMARK(BM_TraceproofDecode);

void BM_TraceproofDecodeAndStore(benchmark::State& state) {
  std::size_t i = 0;
  auto store = std::make_unique<TraceStore>();
  for (auto _ : state) {
    // New store per cycle of distinct batches, so every batch brings new traces.
    if (i % kDistinct == 0) store = std::make_unique<TraceStore>();
    auto bytes = std::make_shared<const std::string>(Batches()[i++ % kDistinct]);
    DecodeResult r = DecodeExportRequest(std::move(bytes));
    benchmark::DoNotOptimize(store->Consume(std::move(r.batch)));
  }
  state.SetItemsProcessed(state.iterations() * kSpans);
}
BENCHMARK(BM_TraceproofDecodeAndStore);

}  // namespace
}  // namespace traceproof

BENCHMARK_MAIN();
