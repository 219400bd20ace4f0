#include "tracing/tracer.h"

#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "opentelemetry/proto/resource/v1/resource.pb.h"
#include "opentelemetry/proto/trace/v1/trace.pb.h"
#include "tracing/resource.h"

namespace traceproof {
namespace {

namespace pbt = opentelemetry::proto::trace::v1;

class CollectingProcessor final : public SpanProcessor {
 public:
  void OnEnd(FinishedSpan&& span) noexcept override {
    std::lock_guard lock(mu_);
    spans_.push_back(std::move(span));
  }
  bool ForceFlush(std::chrono::milliseconds) noexcept override { return true; }
  void Shutdown() noexcept override {}
  std::vector<FinishedSpan> spans() {
    std::lock_guard lock(mu_);
    return spans_;
  }
  pbt::Span Decoded(std::size_t i) {
    pbt::Span s;
    EXPECT_TRUE(s.ParseFromString(spans().at(i).encoded));
    return s;
  }

 private:
  std::mutex mu_;
  std::vector<FinishedSpan> spans_;
};

TracerOptions Options(SpanProcessor* processor, std::int64_t clock_offset_ns = 0,
                      std::shared_ptr<const Sampler> sampler = nullptr) {
  TracerOptions o;
  o.processor = processor;
  o.clock_offset_ns = clock_offset_ns;
  o.sampler = std::move(sampler);
  return o;
}

std::string Bytes(const auto& id) {
  return std::string(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size());
}

TEST(Tracer, EncodesEveryFieldAsOtlpBytes) {
  CollectingProcessor processor;
  Tracer tracer(Options(&processor));
  Span span = tracer.StartSpan("POST /checkout", SpanKind::kServer, std::nullopt, 1000);
  span.SetAttribute("http.request.method", "POST");
  span.SetAttribute("http.response.status_code", 200);
  span.SetAttribute("ratio", 0.5);
  span.SetAttribute("retry", true);
  span.AddEvent("exception", 1500, {{"exception.message", std::string_view("boom")}});
  span.SetStatus(StatusCode::kError, "card declined");
  SpanContext ctx = span.context();
  span.End(2000);

  ASSERT_EQ(processor.spans().size(), 1u);
  pbt::Span s = processor.Decoded(0);
  EXPECT_EQ(s.trace_id(), Bytes(ctx.trace_id));
  EXPECT_EQ(s.span_id(), Bytes(ctx.span_id));
  EXPECT_TRUE(s.parent_span_id().empty());
  EXPECT_EQ(s.name(), "POST /checkout");
  EXPECT_EQ(s.kind(), pbt::Span::SPAN_KIND_SERVER);
  EXPECT_EQ(s.start_time_unix_nano(), 1000u);
  EXPECT_EQ(s.end_time_unix_nano(), 2000u);
  ASSERT_EQ(s.attributes_size(), 4);
  EXPECT_EQ(s.attributes(0).key(), "http.request.method");
  EXPECT_EQ(s.attributes(0).value().string_value(), "POST");
  EXPECT_EQ(s.attributes(1).value().int_value(), 200);
  EXPECT_EQ(s.attributes(2).value().double_value(), 0.5);
  EXPECT_TRUE(s.attributes(3).value().bool_value());
  ASSERT_EQ(s.events_size(), 1);
  EXPECT_EQ(s.events(0).name(), "exception");
  EXPECT_EQ(s.events(0).time_unix_nano(), 1500u);
  EXPECT_EQ(s.events(0).attributes(0).value().string_value(), "boom");
  EXPECT_EQ(s.status().code(), pbt::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(s.status().message(), "card declined");
  EXPECT_EQ(s.flags() & 0xFF, 1u);
}

TEST(Tracer, ChildOfARemoteParentJoinsItsTraceAndKeepsItsTracestate) {
  CollectingProcessor processor;
  Tracer tracer(Options(&processor));
  SpanContext parent{NewTraceId(), NewSpanId(), 0x01, "vendor=abc", true};
  Span child = tracer.StartSpan("child", SpanKind::kClient, parent, 10);
  child.AddLink(parent, {{"link.reason", std::string_view("retry")}});
  child.End(20);
  pbt::Span s = processor.Decoded(0);
  EXPECT_EQ(s.trace_id(), Bytes(parent.trace_id));
  EXPECT_EQ(s.parent_span_id(), Bytes(parent.span_id));
  EXPECT_EQ(s.trace_state(), "vendor=abc");
  EXPECT_EQ(s.flags() & 0x300u, 0x300u) << "parent is remote";
  ASSERT_EQ(s.links_size(), 1);
  EXPECT_EQ(s.links(0).span_id(), Bytes(parent.span_id));
}

TEST(Tracer, UnsampledSpansPropagateButExportNothing) {
  CollectingProcessor processor;
  Tracer tracer(Options(&processor, 0, MakeSampler({"always_off", std::nullopt})));
  Span span = tracer.StartSpan("dropped", SpanKind::kServer, std::nullopt);
  EXPECT_TRUE(span.context().IsValid());
  EXPECT_FALSE(span.context().sampled());
  EXPECT_FALSE(span.IsRecording());
  span.SetAttribute("k", "v");
  span.End();
  EXPECT_TRUE(processor.spans().empty());
}

TEST(Tracer, ClockOffsetShiftsEveryTimestamp) {
  CollectingProcessor processor;
  Tracer tracer(Options(&processor, -500));
  Span span = tracer.StartSpan("skewed", SpanKind::kInternal, std::nullopt, 10'000);
  span.AddEvent("e", 10'100);
  span.End(11'000);
  pbt::Span s = processor.Decoded(0);
  EXPECT_EQ(s.start_time_unix_nano(), 9'500u);
  EXPECT_EQ(s.events(0).time_unix_nano(), 9'600u);
  EXPECT_EQ(s.end_time_unix_nano(), 10'500u);
}

TEST(Tracer, SpanEndsOnceEvenWhenDestroyedAfterEnd) {
  CollectingProcessor processor;
  Tracer tracer(Options(&processor));
  {
    Span a = tracer.StartSpan("a", SpanKind::kInternal, std::nullopt);
    a.End();
    a.End();
    Span b = tracer.StartSpan("b", SpanKind::kInternal, std::nullopt);
    Span moved = std::move(b);  // the moved-from span must not end twice
  }
  EXPECT_EQ(processor.spans().size(), 2u);
}

TEST(Tracer, IdsAreRandomAndValid) {
  TraceId a = NewTraceId(), b = NewTraceId();
  EXPECT_TRUE(a.IsValid());
  EXPECT_NE(a, b);
  EXPECT_NE(NewSpanId(), NewSpanId());
}

TEST(Resource, ServiceNameFirstThenEnvAttributesPercentDecoded) {
  ResourceInfo r = MakeResource("orders", {{"team", "payments"}},
                                "deployment.environment=prod,service.name=ignored, "
                                "service.version = 1.2%2C3 ,malformed");
  ASSERT_EQ(r.attributes.size(), 4u);
  EXPECT_EQ(r.attributes[0], std::make_pair(std::string("service.name"), std::string("orders")));
  EXPECT_EQ(r.attributes[1].second, "prod");
  EXPECT_EQ(r.attributes[2], std::make_pair(std::string("service.version"), std::string("1.2,3")));
  EXPECT_EQ(r.attributes[3].first, "team");
  opentelemetry::proto::resource::v1::Resource decoded;
  ASSERT_TRUE(decoded.ParseFromString(r.encoded_resource));
  EXPECT_EQ(decoded.attributes(0).value().string_value(), "orders");
  EXPECT_EQ(decoded.attributes_size(), 4);
}

}  // namespace
}  // namespace traceproof
