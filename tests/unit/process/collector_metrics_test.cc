// The Collector's Prometheus metrics, as otelcol-traceproof 0.161.0 serves them, turned into
// the counters of the run's `collector` hop; and the HTTP GET that fetches them.
#include "process/collector_metrics.h"

#include <gtest/gtest.h>

namespace traceproof {
namespace {

// Trimmed from a real scrape of the tail-sampling config (debug exporter added).
constexpr const char* kScrape =
    R"(# HELP otelcol_exporter_queue_size Current size of the retry queue (in batches).
# TYPE otelcol_exporter_queue_size gauge
otelcol_exporter_queue_size{data_type="traces",exporter="otlp/jaeger"} 2
otelcol_exporter_sent_spans{exporter="otlp/jaeger"} 985
otelcol_exporter_sent_spans{exporter="debug"} 985
otelcol_exporter_send_failed_spans{exporter="otlp/jaeger"} 3
otelcol_exporter_enqueue_failed_spans_total{exporter="otlp/jaeger"} 4
otelcol_processor_incoming_items{otel_signal="traces",processor="memory_limiter"} 10358
otelcol_processor_incoming_items{otel_signal="logs",processor="memory_limiter"} 7
otelcol_processor_outgoing_items{otel_signal="traces",processor="memory_limiter"} 10358
otelcol_processor_tail_sampling_count_traces_sampled{decision="not_sampled",policy="baseline",sampled="false"} 721
otelcol_processor_tail_sampling_global_count_traces_sampled{decision="not_sampled",sampled="false"} 721
otelcol_processor_tail_sampling_global_count_traces_sampled{decision="sampled",sampled="true"} 79
otelcol_processor_tail_sampling_new_trace_id_received 800
otelcol_processor_tail_sampling_sampling_traces_on_memory 800
otelcol_receiver_accepted_spans{receiver="otlp",transport="grpc"} 10000
otelcol_receiver_accepted_spans{receiver="otlp",transport="http"} 358
otelcol_receiver_refused_spans{receiver="otlp",transport="grpc"} 5
otelcol_processor_memory_limiter_refused_spans{processor="memory_limiter"} 6
otelcol_process_memory_rss 3.6806656e+07
target_info{service_name="otelcol-traceproof",weird="a \"quoted\", value"} 1
not a sample line
)";

TEST(CollectorMetrics, ParsesNamesLabelsAndValues) {
  const auto samples = ParsePrometheusText(kScrape);
  ASSERT_FALSE(samples.empty());
  EXPECT_EQ(samples.front().name, "otelcol_exporter_queue_size");
  EXPECT_EQ(samples.front().labels.at("exporter"), "otlp/jaeger");
  EXPECT_EQ(samples.front().value, 2);
  EXPECT_DOUBLE_EQ(*SumMetric(samples, "otelcol_process_memory_rss"), 36806656);
  EXPECT_EQ(*SumMetric(samples, "target_info", {{"weird", "a \"quoted\", value"}}), 1);
  EXPECT_EQ(*SumMetric(samples, "otelcol_receiver_accepted_spans"), 10358);
  EXPECT_EQ(*SumMetric(samples, "otelcol_receiver_accepted_spans", {{"transport", "http"}}), 358);
  // Counters named with the Prometheus exporter's _total suffix match their plain name.
  EXPECT_EQ(*SumMetric(samples, "otelcol_exporter_enqueue_failed_spans"), 4);
  EXPECT_FALSE(SumMetric(samples, "otelcol_no_such_metric"));
}

TEST(CollectorMetrics, CountersCountOnlyForwardingExportersAndTraces) {
  const CollectorCounters c = ReadCollectorCounters(ParsePrometheusText(kScrape));
  EXPECT_TRUE(c.scraped);
  EXPECT_EQ(c.receiver_accepted_spans, 10358u);
  EXPECT_EQ(c.receiver_refused_spans, 5u);
  EXPECT_EQ(c.memory_limiter_refused_spans, 6u);
  EXPECT_EQ(c.exporter_sent_spans, 985u);  // the debug exporter's copies are not passed on
  EXPECT_EQ(c.exporter_send_failed_spans, 3u);
  EXPECT_EQ(c.exporter_enqueue_failed_spans, 4u);
  EXPECT_EQ(c.exporter_queue_size, 2u);
  EXPECT_EQ(c.processor_incoming_spans.at("memory_limiter"), 10358u);  // logs left out
  EXPECT_TRUE(c.tail_sampling);
  EXPECT_EQ(c.tail_traces_sampled, 79u);
  EXPECT_EQ(c.tail_traces_not_sampled, 721u);  // the global count, not per policy
  EXPECT_EQ(c.tail_new_traces, 800u);
  EXPECT_EQ(c.tail_traces_on_memory, 800u);
}

TEST(CollectorMetrics, HttpGetToAClosedPortSaysWhy) {
  std::string error;
  // Port 1 on loopback: nothing listens there in a test sandbox.
  EXPECT_FALSE(HttpGetLoopback(1, "/metrics", std::chrono::milliseconds(500), error));
  EXPECT_NE(error.find("127.0.0.1:1"), std::string::npos) << error;
}

}  // namespace
}  // namespace traceproof
