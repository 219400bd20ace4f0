#include "receiver/otlp_forwarder.h"

#include <gtest/gtest.h>

#include <thread>

#include "receiver/grpc_receiver.h"
#include "store/trace_store.h"
#include "test_requests.h"

namespace traceproof {
namespace {

using namespace testing;

// A consumer that refuses everything, as a full store does.
class FullConsumer final : public SpanConsumer {
 public:
  ConsumeResult Consume(SpanBatch) noexcept override { return {ConsumeStatus::kStoreFull, 0}; }
};

SpanBatch Batch(int trace, int spans) {
  pbc::ExportTraceServiceRequest request;
  for (int i = 1; i <= spans; ++i) AddSpan(request, "svc", "op", trace, i, i == 1 ? 0 : 1);
  SpanBatch batch;
  batch.bytes = Serialize(request);
  batch.spans.resize(static_cast<std::size_t>(spans));
  return batch;
}

TEST(OtlpForwarder, AcceptedRequestsReachTheBackendByteForByte) {
  TraceStore backend_store;
  IngestCounters backend_counters;
  std::string error;
  auto backend =
      StartGrpcReceiver({"127.0.0.1", 0, {}, {}}, backend_store, backend_counters, error);
  ASSERT_TRUE(backend) << error;
  TraceStore sink;
  ForwarderOptions options;
  options.endpoint = "127.0.0.1:" + std::to_string(backend->port());
  ForwardingConsumer forward(sink, options);
  EXPECT_EQ(forward.Consume(Batch(1, 3)).status, ConsumeStatus::kAccepted);
  EXPECT_EQ(forward.Consume(Batch(2, 2)).status, ConsumeStatus::kAccepted);
  forward.Stop(std::chrono::seconds(10));
  const ForwarderStats st = forward.stats();
  EXPECT_EQ(st.requests_forwarded, 2u);
  EXPECT_EQ(st.spans_forwarded, 5u);
  EXPECT_EQ(st.requests_failed + st.requests_dropped, 0u) << st.last_error;
  EXPECT_EQ(backend_counters.spans_accepted.load(), 5u);
  backend->Stop();
}

TEST(OtlpForwarder, RequestsTheSinkRefusedAreNotForwarded) {
  FullConsumer full;
  ForwarderOptions options;
  options.endpoint = "127.0.0.1:1";  // never contacted
  ForwardingConsumer forward(full, options);
  EXPECT_EQ(forward.Consume(Batch(1, 3)).status, ConsumeStatus::kStoreFull);
  forward.Stop(std::chrono::seconds(1));
  const ForwarderStats st = forward.stats();
  EXPECT_EQ(st.requests_forwarded + st.requests_failed + st.requests_dropped, 0u);
}

TEST(OtlpForwarder, AnAbsentBackendIsCountedAsFailedWithTheError) {
  // A port that was free a moment ago: nothing listens there.
  TraceStore probe_store;
  IngestCounters probe_counters;
  std::string error;
  auto probe = StartGrpcReceiver({"127.0.0.1", 0, {}, {}}, probe_store, probe_counters, error);
  ASSERT_TRUE(probe) << error;
  const std::uint16_t port = probe->port();
  probe->Stop();
  probe.reset();

  TraceStore sink;
  ForwarderOptions options;
  options.endpoint = "127.0.0.1:" + std::to_string(port);
  options.timeout = std::chrono::milliseconds(500);
  options.max_attempts = 2;
  ForwardingConsumer forward(sink, options);
  forward.Consume(Batch(1, 4));
  forward.Stop(std::chrono::seconds(10));
  const ForwarderStats st = forward.stats();
  EXPECT_EQ(st.requests_forwarded, 0u);
  EXPECT_EQ(st.requests_failed, 1u);
  EXPECT_EQ(st.spans_failed, 4u);
  EXPECT_NE(st.last_error.find(options.endpoint), std::string::npos) << st.last_error;
  // The sink still has the spans: forwarding never costs the run its data.
  EXPECT_EQ(sink.counters().spans_accepted.load(), 4u);
}

TEST(OtlpForwarder, WhatIsStillQueuedAtStopIsCountedAsDropped) {
  TraceStore sink;
  ForwarderOptions options;
  options.endpoint = "127.0.0.1:1";
  options.timeout = std::chrono::milliseconds(300);
  options.max_attempts = 1;
  ForwardingConsumer forward(sink, options);
  for (int i = 1; i <= 20; ++i) forward.Consume(Batch(i, 1));
  forward.Stop(std::chrono::milliseconds(0));
  const ForwarderStats st = forward.stats();
  EXPECT_EQ(st.requests_forwarded + st.requests_failed + st.requests_dropped, 20u);
  EXPECT_GT(st.requests_dropped, 0u);
}

}  // namespace
}  // namespace traceproof
