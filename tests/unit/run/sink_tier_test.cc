// The run's sinks on loopback: one sink is the usual "sink" hop and remembers no ids; a tier
// feeds one consumer (the union) while each sink remembers the trace ids it took, so a trace
// sent to two sinks is on both; a killed sink's port closes and the others keep taking spans.
#include "run/sink_tier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstring>

#include "test_requests.h"

namespace traceproof {
namespace {

using namespace testing;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Counts the spans it is given (what the run's trace store would take).
class CountingConsumer final : public SpanConsumer {
 public:
  ConsumeResult Consume(SpanBatch batch) noexcept override {
    spans += batch.spans.size();
    return {ConsumeStatus::kAccepted, batch.spans.size()};
  }
  std::atomic<std::uint64_t> spans{0};
};

// Trace `trace` with `spans` spans, POSTed as OTLP/HTTP protobuf; the status code, or 0 when
// nothing listens.
int Post(std::uint16_t port, int trace, int spans) {
  pbc::ExportTraceServiceRequest request;
  for (int i = 1; i <= spans; ++i) AddSpan(request, "svc", "op", trace, trace * 10 + i, 0);
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(10));
  beast::error_code ec;
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return 0;
  http::request<http::string_body> req{http::verb::post, "/v1/traces", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, "application/x-protobuf");
  req.body() = *Serialize(request);
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return res.result_int();
}

TraceId IdOf(int trace) {
  TraceId id;
  const std::string bytes = TraceIdBytes(trace);
  std::memcpy(id.bytes.data(), bytes.data(), id.bytes.size());
  return id;
}

std::unique_ptr<SinkTier> StartTier(int count, SpanConsumer& consumer) {
  SinkTierOptions o;
  o.count = count;
  std::string error;
  auto tier = SinkTier::Start(o, consumer, error);
  EXPECT_TRUE(tier) << error;
  return tier;
}

TEST(SinkTier, OneSinkIsTheSinkHopAndRemembersNoIds) {
  CountingConsumer consumer;
  auto tier = StartTier(1, consumer);
  ASSERT_TRUE(tier);
  EXPECT_EQ(Post(tier->sink(0).http_port(), 1, 3), 200);
  tier->Stop();
  const TraceStoreCounters store;
  const std::vector<HopCounters> hops = tier->Hops(store);
  ASSERT_EQ(hops.size(), 1u);
  EXPECT_EQ(hops[0].name, "sink");
  EXPECT_EQ(hops[0].tier, "");
  EXPECT_EQ(hops[0].received, 3u);
  EXPECT_TRUE(tier->TakeRouting().empty());
}

TEST(SinkTier, EverySinkFeedsTheUnionAndRemembersItsTraceIds) {
  CountingConsumer consumer;
  auto tier = StartTier(2, consumer);
  ASSERT_TRUE(tier);
  EXPECT_EQ(Post(tier->sink(0).http_port(), 1, 2), 200);
  EXPECT_EQ(Post(tier->sink(1).http_port(), 2, 3), 200);
  EXPECT_EQ(Post(tier->sink(0).http_port(), 3, 1), 200);  // trace 3, split over both
  EXPECT_EQ(Post(tier->sink(1).http_port(), 3, 1), 200);
  EXPECT_EQ(tier->spans_received(), 7u);
  tier->Stop();
  EXPECT_EQ(consumer.spans.load(), 7u);
  const TraceStoreCounters store;
  const std::vector<HopCounters> hops = tier->Hops(store);
  ASSERT_EQ(hops.size(), 2u);
  EXPECT_EQ(hops[0].name, "sink 0");
  EXPECT_EQ(hops[1].name, "sink 1");
  EXPECT_EQ(hops[1].tier, "sinks");
  EXPECT_EQ(hops[0].received, 3u);
  EXPECT_EQ(hops[1].received, 4u);
  const std::vector<SinkRouting> routing = tier->TakeRouting();
  ASSERT_EQ(routing.size(), 2u);
  EXPECT_EQ(routing[0].trace_ids, (std::unordered_set<TraceId, IdHash>{IdOf(1), IdOf(3)}));
  EXPECT_EQ(routing[1].trace_ids, (std::unordered_set<TraceId, IdHash>{IdOf(2), IdOf(3)}));
  EXPECT_EQ(routing[1].endpoint, "127.0.0.1:" + std::to_string(tier->sink(1).grpc_port()));
  EXPECT_FALSE(routing[1].killed_at_s);
}

TEST(SinkTier, AKilledSinkClosesItsPortAndTheOthersKeepTakingSpans) {
  CountingConsumer consumer;
  auto tier = StartTier(3, consumer);
  ASSERT_TRUE(tier);
  const std::uint16_t killed_port = tier->sink(1).http_port();
  EXPECT_EQ(Post(killed_port, 1, 1), 200);
  tier->Kill(1, std::chrono::seconds(4));
  EXPECT_EQ(Post(killed_port, 2, 1), 0);  // nothing listens
  EXPECT_EQ(Post(tier->sink(0).http_port(), 3, 1), 200);
  EXPECT_EQ(Post(tier->sink(2).http_port(), 4, 1), 200);
  tier->Stop();
  const std::vector<SinkRouting> routing = tier->TakeRouting();
  ASSERT_EQ(routing.size(), 3u);
  ASSERT_TRUE(routing[1].killed_at_s);
  EXPECT_DOUBLE_EQ(*routing[1].killed_at_s, 4.0);
  EXPECT_EQ(routing[1].trace_ids.size(), 1u);
  EXPECT_EQ(consumer.spans.load(), 3u);
}

}  // namespace
}  // namespace traceproof
