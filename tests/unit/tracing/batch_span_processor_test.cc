#include "tracing/batch_span_processor.h"

#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <string>
#include <thread>

#include "test_requests.h"
#include "tracing/in_memory_exporter.h"

namespace traceproof {
namespace {

using namespace std::chrono_literals;
using testing::SpanIdBytes;
using testing::TraceIdBytes;

FinishedSpan MakeSpan(int n) {
  FinishedSpan span;
  span.context.trace_id = TraceId::FromBytes(TraceIdBytes(n));
  span.context.span_id = SpanId::FromBytes(SpanIdBytes(n));
  span.context.trace_flags = 1;
  span.encoded = "span-" + std::to_string(n);
  return span;
}

// Owns the processor; `exporter` stays readable after the processor took ownership.
struct Harness {
  explicit Harness(BatchSpanProcessorOptions options) {
    auto owned = std::make_unique<InMemoryExporter>();
    exporter = owned.get();
    processor = std::make_unique<BatchSpanProcessor>(std::move(owned), options);
  }
  void End(int from, int to) {  // spans [from, to)
    for (int i = from; i < to; ++i) processor->OnEnd(MakeSpan(i));
  }
  std::vector<int> ExportedIds() const {
    std::vector<int> ids;
    for (const FinishedSpan& s : exporter->spans()) ids.push_back(std::stoi(s.encoded.substr(5)));
    return ids;
  }
  InMemoryExporter* exporter;
  std::unique_ptr<BatchSpanProcessor> processor;
};

std::vector<int> Range(int from, int to) {
  std::vector<int> v(static_cast<std::size_t>(to - from));
  std::iota(v.begin(), v.end(), from);
  return v;
}

template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

BatchSpanProcessorOptions Options(std::size_t queue, std::size_t batch,
                                  std::chrono::milliseconds delay = 1h) {
  BatchSpanProcessorOptions o;
  o.max_queue_size = queue;
  o.max_export_batch_size = batch;
  o.schedule_delay = delay;
  o.export_timeout = 5s;
  return o;
}

TEST(BatchSpanProcessor, ExportsFullBatchesAndKeepsTheRemainderUntilTheDelay) {
  Harness h(Options(1000, 10));
  h.End(0, 35);
  ASSERT_TRUE(Eventually([&] { return h.processor->exported_spans() == 30; }));
  std::this_thread::sleep_for(50ms);  // the 5 left over must wait for a full batch or the delay
  EXPECT_EQ(h.exporter->batch_sizes(), (std::vector<std::size_t>{10, 10, 10}));
  EXPECT_EQ(h.ExportedIds(), Range(0, 30));
}

TEST(BatchSpanProcessor, ExportsPartialBatchWhenScheduleDelayElapses) {
  const auto start = std::chrono::steady_clock::now();
  Harness h(Options(1000, 100, 50ms));
  h.End(0, 3);
  ASSERT_TRUE(Eventually([&] { return h.processor->exported_spans() == 3; }, 2s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
  EXPECT_EQ(h.exporter->batch_sizes(), std::vector<std::size_t>{3});
}

TEST(BatchSpanProcessor, FullQueueDropsAndCountsEverySpanItCannotHold) {
  Harness h(Options(10, 5));
  h.exporter->SetBlocked(true);
  h.End(0, 5);  // a full batch: the worker takes it and stalls in Export, leaving the queue empty
  ASSERT_TRUE(h.exporter->WaitForCalls(1, 5s));
  h.End(5, 30);  // 25 more: 10 fit in the queue, 15 do not
  EXPECT_EQ(h.processor->dropped_spans(), 15u);
  EXPECT_EQ(h.processor->queued_spans(), 15u);
  h.exporter->SetBlocked(false);
  ASSERT_TRUE(h.processor->ForceFlush(5s));
  EXPECT_EQ(h.processor->exported_spans(), 15u);
  EXPECT_EQ(h.ExportedIds(), Range(0, 15));
}

TEST(BatchSpanProcessor, ForceFlushDeliversEverythingQueuedInBatchesNoLargerThanTheMaximum) {
  Harness h(Options(2048, 512));
  h.End(0, 1000);
  ASSERT_TRUE(h.processor->ForceFlush(5s));
  EXPECT_EQ(h.processor->exported_spans(), 1000u);
  EXPECT_EQ(h.ExportedIds(), Range(0, 1000));
  for (std::size_t size : h.exporter->batch_sizes()) EXPECT_LE(size, 512u);
}

TEST(BatchSpanProcessor, ShutdownFlushesOnceAndLaterSpansAreCountedAsDropped) {
  Harness h(Options(100, 50));
  h.End(0, 7);
  h.processor->Shutdown();
  EXPECT_EQ(h.ExportedIds(), Range(0, 7));
  EXPECT_EQ(h.exporter->shutdown_calls(), 1);
  h.processor->Shutdown();
  EXPECT_EQ(h.exporter->shutdown_calls(), 1);
  h.End(7, 8);
  EXPECT_EQ(h.processor->dropped_spans(), 1u);
  EXPECT_TRUE(h.processor->ForceFlush(100ms));
  EXPECT_EQ(h.exporter->export_calls(), 1u);
}

TEST(BatchSpanProcessor, ShutdownStaysBoundedWhenTheExporterHangs) {
  auto options = Options(100, 50);
  options.export_timeout = 100ms;
  Harness h(options);
  h.exporter->SetBlocked(true);  // never unblocked: only the exporter's Shutdown releases it
  h.End(0, 3);
  const auto start = std::chrono::steady_clock::now();
  h.processor->Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(h.processor->failed_spans(), 3u);
  EXPECT_EQ(h.processor->exported_spans(), 0u);
}

TEST(BatchSpanProcessor, PausedExportDiscardsAndCountsOutageDropsApartFromQueueDrops) {
  Harness h(Options(100, 10));
  h.processor->SetExportPaused(true);
  h.End(0, 20);
  ASSERT_TRUE(h.processor->ForceFlush(5s));
  EXPECT_EQ(h.processor->dropped_spans_outage(), 20u);
  EXPECT_EQ(h.processor->dropped_spans(), 0u);
  EXPECT_EQ(h.exporter->export_calls(), 0u);
  h.processor->SetExportPaused(false);
  h.End(20, 25);
  ASSERT_TRUE(h.processor->ForceFlush(5s));
  EXPECT_EQ(h.ExportedIds(), Range(20, 25));
  EXPECT_EQ(h.processor->dropped_spans_outage(), 20u);
}

TEST(BatchSpanProcessor, BatchesTheExporterGivesUpOnAreCountedAsFailed) {
  Harness h(Options(100, 4));
  ExportResult failed, retryable, partial;
  failed.kind = ExportResult::Kind::kFailed;
  retryable.kind = ExportResult::Kind::kRetryable;
  partial.rejected_spans = 1;
  h.exporter->ScriptResults({failed, retryable, partial});
  for (int batch = 0; batch < 4; ++batch) {
    h.End(batch * 4, batch * 4 + 4);
    ASSERT_TRUE(h.processor->ForceFlush(5s));
  }
  EXPECT_EQ(h.processor->failed_spans(), 8u);
  EXPECT_EQ(h.processor->rejected_spans(), 1u);
  EXPECT_EQ(h.processor->exported_spans(), 7u);
  EXPECT_EQ(h.processor->queued_spans(), 16u);
  EXPECT_EQ(h.ExportedIds(), Range(8, 16));
}

TEST(BatchSpanProcessor, BatchLargerThanTheQueueIsClampedToTheQueue) {
  Harness h(Options(8, 100));
  h.End(0, 8);  // a full queue is a full batch, so it goes without waiting for the delay
  ASSERT_TRUE(Eventually([&] { return h.processor->exported_spans() == 8; }));
}

TEST(BatchSpanProcessorOptions, FromEnvReadsOtelBspVariablesAndKeepsDefaultsForBadValues) {
  std::map<std::string, std::string> env = {{"OTEL_BSP_MAX_QUEUE_SIZE", "4096"},
                                            {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", " 256 "},
                                            {"OTEL_BSP_SCHEDULE_DELAY", "200"},
                                            {"OTEL_BSP_EXPORT_TIMEOUT", "1500"}};
  auto getenv = [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  BatchSpanProcessorOptions o = BatchSpanProcessorOptions::FromEnv(getenv);
  EXPECT_EQ(o.max_queue_size, 4096u);
  EXPECT_EQ(o.max_export_batch_size, 256u);
  EXPECT_EQ(o.schedule_delay, 200ms);
  EXPECT_EQ(o.export_timeout, 1500ms);

  env = {{"OTEL_BSP_MAX_QUEUE_SIZE", "lots"},
         {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "0"},
         {"OTEL_BSP_SCHEDULE_DELAY", "-5"},
         {"OTEL_BSP_EXPORT_TIMEOUT", "10s"}};
  o = BatchSpanProcessorOptions::FromEnv(getenv);
  const BatchSpanProcessorOptions defaults;
  EXPECT_EQ(o.max_queue_size, defaults.max_queue_size);
  EXPECT_EQ(o.max_export_batch_size, defaults.max_export_batch_size);
  EXPECT_EQ(o.schedule_delay, defaults.schedule_delay);
  EXPECT_EQ(o.export_timeout, defaults.export_timeout);
}

}  // namespace
}  // namespace traceproof
