#include "otlp/json.h"

#include <gtest/gtest.h>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/decode.h"

namespace traceproof {
namespace {

DecodeResult DecodeJson(std::string_view json) {
  JsonToProtoResult converted = OtlpJsonToProto(json);
  EXPECT_TRUE(converted.ok()) << converted.error;
  return DecodeExportRequest(std::make_shared<const std::string>(converted.bytes));
}

TEST(OtlpJson, HexIdsCamelCaseKeysAndEnumIntegers) {
  auto r = DecodeJson(R"({"resourceSpans":[{"resource":{"attributes":[
      {"key":"service.name","value":{"stringValue":"checkout"}}]},
    "scopeSpans":[{"scope":{"name":"s"},"spans":[{
      "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
      "parentSpanId":"eee19b7ec3c1b173","name":"GET /","kind":2,
      "startTimeUnixNano":"1544712660000000000","endTimeUnixNano":1544712661000000000,
      "status":{"code":2,"message":"boom"},"someFutureField":{"x":1}}]}]}]})");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.batch.spans.size(), 1u);
  const SpanView& s = r.batch.spans[0];
  EXPECT_EQ(s.trace_id.Hex(), "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(s.span_id.Hex(), "eee19b7ec3c1b174");
  EXPECT_EQ(s.parent_span_id.Hex(), "eee19b7ec3c1b173");
  EXPECT_EQ(s.service_name, "checkout");
  EXPECT_EQ(s.kind, SpanKind::kServer);
  EXPECT_EQ(s.status, StatusCode::kError);
  EXPECT_EQ(s.DurationNs(), 1'000'000'000);
}

TEST(OtlpJson, SnakeCaseKeysAndEnumNamesAreAccepted) {
  auto r = DecodeJson(R"({"resource_spans":[{"scope_spans":[{"spans":[{
      "trace_id":"5B8EFFF798038103D269B633813FC60C","span_id":"eee19b7ec3c1b174",
      "name":"x","kind":"SPAN_KIND_CLIENT"}]}]}]})");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.batch.spans.size(), 1u);
  EXPECT_EQ(r.batch.spans[0].kind, SpanKind::kClient);
  EXPECT_EQ(r.batch.spans[0].trace_id.Hex(), "5b8efff798038103d269b633813fc60c");
}

TEST(OtlpJson, LinkIdsAreHexToo) {
  JsonToProtoResult c = OtlpJsonToProto(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{
      "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"x",
      "links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331"}]}]}]}]})");
  ASSERT_TRUE(c.ok()) << c.error;
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest req;
  ASSERT_TRUE(req.ParseFromString(c.bytes));
  const auto& link = req.resource_spans(0).scope_spans(0).spans(0).links(0);
  EXPECT_EQ(link.span_id(), std::string("\xb7\xad\x6b\x71\x69\x20\x33\x31", 8));
}

TEST(OtlpJson, NonHexIdNamesTheField) {
  JsonToProtoResult c = OtlpJsonToProto(R"({"resourceSpans":[{"scopeSpans":[{"spans":[
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"},
      {"traceId":"zz8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}]}]}]})");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error, "resourceSpans[0].scopeSpans[0].spans[1].traceId: not hex at character 0");
}

TEST(OtlpJson, InvalidJsonSaysWhere) {
  JsonToProtoResult c = OtlpJsonToProto("{\"resourceSpans\": [");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error.find("invalid JSON"), std::string::npos) << c.error;
  EXPECT_NE(c.error.find("line 1"), std::string::npos) << c.error;
}

TEST(OtlpJson, WrongTypeInKnownFieldIsAnError) {
  JsonToProtoResult c = OtlpJsonToProto(R"({"resourceSpans":[{"scopeSpans":[{"spans":[
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
       "name":{"not":"a string"}}]}]}]})");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error.find("name"), std::string::npos) << c.error;
}

TEST(OtlpJson, ShortHexIdDecodesAndIsRejectedPerSpan) {
  auto r = DecodeJson(R"({"resourceSpans":[{"scopeSpans":[{"spans":[
      {"traceId":"5b8efff798038103d269b633813fc6","spanId":"eee19b7ec3c1b174"}]}]}]})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.spans_rejected, 1u);
  EXPECT_EQ(r.first_rejection,
            "resource_spans[0].scope_spans[0].spans[0].trace_id: 15 bytes, want 16");
}

TEST(OtlpJson, ResponseCarriesPartialSuccessOnlyWhenSomethingWasRejected) {
  EXPECT_EQ(ExportResponseJson(0, ""), "{}");
  EXPECT_EQ(ExportResponseJson(3, "bad ids"),
            R"({"partialSuccess":{"rejectedSpans":"3","errorMessage":"bad ids"}})");
}

}  // namespace
}  // namespace traceproof

namespace traceproof {
namespace {

// Found by the JSON fuzzer: number overflow makes nlohmann throw out_of_range, not parse_error.
TEST(OtlpJson, NumberOverflowIsAnErrorNotACrash) {
  JsonToProtoResult c = OtlpJsonToProto("7e777i");
  EXPECT_FALSE(c.ok());
  JsonToProtoResult d = OtlpJsonToProto(
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":1e999}]}]}]})");
  EXPECT_FALSE(d.ok());
}

TEST(OtlpJson, InvalidUtf8IsAnErrorNotACrash) {
  JsonToProtoResult c = OtlpJsonToProto("{\"resourceSpans\":[{\"schemaUrl\":\"\xff\xfe\"}]}");
  EXPECT_FALSE(c.ok());
}

}  // namespace
}  // namespace traceproof
