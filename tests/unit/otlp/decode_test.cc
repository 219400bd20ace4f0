#include "otlp/decode.h"

#include <gtest/gtest.h>

#include "test_requests.h"

namespace traceproof {
namespace {

using namespace testing;

TEST(Decode, DecodesIndexedFieldsOfEverySpan) {
  pbc::ExportTraceServiceRequest req;
  auto* root = AddSpan(req, "gateway", "POST /checkout", 1, 1, 0, 100, 900);
  root->mutable_status()->set_code(pbt::Status::STATUS_CODE_ERROR);
  root->mutable_status()->set_message("card declined");
  AddSpan(req, "payments", "charge-card", 1, 2, 1, 200, 800)->set_kind(pbt::Span::SPAN_KIND_CLIENT);

  DecodeResult r = DecodeExportRequest(Serialize(req));
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.batch.spans.size(), 2u);
  EXPECT_EQ(r.spans_seen, 2u);
  const SpanView& a = r.batch.spans[0];
  EXPECT_EQ(a.service_name, "gateway");
  EXPECT_EQ(a.name, "POST /checkout");
  EXPECT_EQ(a.scope_name, "test-scope");
  EXPECT_EQ(a.trace_id.Hex(),
            "1111111111111111111111111111"
            "0001");
  EXPECT_TRUE(a.IsRoot());
  EXPECT_EQ(a.status, StatusCode::kError);
  EXPECT_EQ(a.status_message, "card declined");
  EXPECT_EQ(a.DurationNs(), 800);
  const SpanView& b = r.batch.spans[1];
  EXPECT_EQ(b.service_name, "payments");
  EXPECT_EQ(b.kind, SpanKind::kClient);
  EXPECT_EQ(b.parent_span_id, a.span_id);
}

TEST(Decode, RejectsOnlyTheSpansWithInvalidIdsAndNamesTheField) {
  pbc::ExportTraceServiceRequest req;
  AddSpan(req, "svc", "ok", 1, 1);
  AddSpan(req, "svc", "short-trace-id", 1, 2)->set_trace_id(Bytes(15, 'a'));
  AddSpan(req, "svc", "zero-trace-id", 1, 3)->set_trace_id(Bytes(16, '\0'));
  AddSpan(req, "svc", "zero-span-id", 1, 4)->set_span_id(Bytes(8, '\0'));
  AddSpan(req, "svc", "bad-parent", 1, 5)->set_parent_span_id(Bytes(3, 'x'));
  AddSpan(req, "svc", "no-span-id", 1, 6)->clear_span_id();

  DecodeResult r = DecodeExportRequest(Serialize(req));
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.batch.spans.size(), 1u);
  EXPECT_EQ(r.batch.spans[0].name, "ok");
  EXPECT_EQ(r.spans_seen, 6u);
  EXPECT_EQ(r.spans_rejected, 5u);
  auto count = [&](RefusalReason why) { return r.rejected_by_reason[static_cast<int>(why)]; };
  EXPECT_EQ(count(RefusalReason::kInvalidTraceId), 2u);
  EXPECT_EQ(count(RefusalReason::kInvalidSpanId), 2u);
  EXPECT_EQ(count(RefusalReason::kInvalidParentSpanId), 1u);
  EXPECT_EQ(r.first_rejection,
            "resource_spans[0].scope_spans[0].spans[1].trace_id: 15 bytes, want 16");
}

TEST(Decode, TruncatedRequestIsMalformedWithAPathAndKeepsNothing) {
  pbc::ExportTraceServiceRequest req;
  for (int i = 1; i <= 3; ++i) AddSpan(req, "svc", "op", 1, i);
  std::string bytes = req.SerializeAsString();
  bytes.resize(bytes.size() - 5);
  DecodeResult r = DecodeExportRequest(std::make_shared<const std::string>(bytes));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.batch.spans.empty());
  EXPECT_NE(r.error.find("resource_spans[0]"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("exceeds the"), std::string::npos) << r.error;
  EXPECT_EQ(r.rejected_by_reason[static_cast<int>(RefusalReason::kMalformed)], r.spans_seen);
}

TEST(Decode, WrongWireTypeForAKnownFieldNamesTheField) {
  // resource_spans[0] { scope_spans[0] { spans[0] { name (field 5) as varint 7 } } }
  std::string span = "\x28\x07";
  std::string scope = "\x12" + std::string(1, static_cast<char>(span.size())) + span;
  std::string rs = "\x12" + std::string(1, static_cast<char>(scope.size())) + scope;
  std::string req = "\x0a" + std::string(1, static_cast<char>(rs.size())) + rs;
  DecodeResult r = DecodeExportRequest(std::make_shared<const std::string>(req));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error,
            "resource_spans[0].scope_spans[0].spans[0].name: wire type varint, want "
            "length-delimited");
}

TEST(Decode, UnknownFieldsAreSkipped) {
  pbc::ExportTraceServiceRequest req;
  AddSpan(req, "svc", "op", 1, 1);
  std::string bytes = req.SerializeAsString();
  bytes += "\xf8\x07\x2a";  // field 127, varint 42: a field from some future schema
  DecodeResult r = DecodeExportRequest(std::make_shared<const std::string>(bytes));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.batch.spans.size(), 1u);
}

TEST(Decode, EmptyRequestIsValidAndEmpty) {
  DecodeResult r = DecodeExportRequest(std::make_shared<const std::string>());
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.batch.spans.empty());
}

TEST(Decode, ResourceAfterScopeSpansStillNamesTheService) {
  pbc::ExportTraceServiceRequest req;
  AddSpan(req, "late-resource", "op", 1, 1);
  // Re-serialize resource_spans[0] with field 2 before field 1.
  const auto& rs = req.resource_spans(0);
  std::string scope = rs.scope_spans(0).SerializeAsString();
  std::string resource = rs.resource().SerializeAsString();
  std::string body;
  body += '\x12';
  body += static_cast<char>(scope.size());
  body += scope;
  body += '\x0a';
  body += static_cast<char>(resource.size());
  body += resource;
  std::string bytes = "\x0a" + std::string(1, static_cast<char>(body.size())) + body;
  DecodeResult r = DecodeExportRequest(std::make_shared<const std::string>(bytes));
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.batch.spans.size(), 1u);
  EXPECT_EQ(r.batch.spans[0].service_name, "late-resource");
}

}  // namespace
}  // namespace traceproof
