#include "receiver/http_handler.h"

#include <gtest/gtest.h>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/gzip.h"
#include "store/trace_store.h"
#include "test_requests.h"

namespace traceproof {
namespace {

using namespace testing;
namespace http = boost::beast::http;

class OtlpHttp : public ::testing::Test {
 protected:
  HttpResponse Post(std::string body, std::string type = "application/x-protobuf",
                    std::string encoding = "") {
    HttpRequest req{http::verb::post, "/v1/traces", 11};
    req.set(http::field::content_type, type);
    if (!encoding.empty()) req.set(http::field::content_encoding, encoding);
    req.body() = std::move(body);
    req.prepare_payload();
    return HandleOtlpHttp(std::move(req), store_, counters_, limits_);
  }
  std::uint64_t RequestsRefused(RefusalReason r) {
    return counters_.requests_refused[static_cast<int>(r)].load();
  }
  std::uint64_t SpansRefused(RefusalReason r) {
    return counters_.spans_refused[static_cast<int>(r)].load();
  }
  static std::string TwoSpans() {
    pbc::ExportTraceServiceRequest req;
    AddSpan(req, "svc", "a", 1, 1);
    AddSpan(req, "svc", "b", 1, 2, 1);
    return req.SerializeAsString();
  }

  TraceStoreOptions store_options_;
  TraceStore store_{store_options_};
  IngestCounters counters_;
  ReceiverLimits limits_;
};

TEST_F(OtlpHttp, ProtobufRequestIsAcceptedWithAnEmptyResponse) {
  HttpResponse res = Post(TwoSpans());
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res[http::field::content_type], "application/x-protobuf");
  pbc::ExportTraceServiceResponse body;
  ASSERT_TRUE(body.ParseFromString(res.body()));
  EXPECT_FALSE(body.has_partial_success());
  EXPECT_EQ(counters_.spans_accepted.load(), 2u);
  EXPECT_EQ(store_.span_count(), 2u);
}

TEST_F(OtlpHttp, ContentTypeParametersAndCaseAreIgnored) {
  EXPECT_EQ(Post(TwoSpans(), "Application/X-Protobuf; charset=binary").result(), http::status::ok);
}

TEST_F(OtlpHttp, GzipBodyIsInflated) {
  EXPECT_EQ(Post(Gzip(TwoSpans()), "application/x-protobuf", "gzip").result(), http::status::ok);
  EXPECT_EQ(counters_.spans_accepted.load(), 2u);
}

TEST_F(OtlpHttp, GzipBombIs413AndCounted) {
  limits_.max_body_bytes = 1 << 20;
  HttpResponse res = Post(Gzip(std::string(8u << 20, '\0')), "application/x-protobuf", "gzip");
  EXPECT_EQ(res.result(), http::status::payload_too_large);
  EXPECT_EQ(RequestsRefused(RefusalReason::kTooLarge), 1u);
}

TEST_F(OtlpHttp, CorruptGzipIs400) {
  EXPECT_EQ(Post("definitely not gzip", "application/x-protobuf", "gzip").result(),
            http::status::bad_request);
  EXPECT_EQ(RequestsRefused(RefusalReason::kBadContentEncoding), 1u);
}

TEST_F(OtlpHttp, UnknownContentEncodingIs415) {
  EXPECT_EQ(Post(TwoSpans(), "application/x-protobuf", "br").result(),
            http::status::unsupported_media_type);
}

TEST_F(OtlpHttp, WrongContentTypeIs415) {
  HttpResponse res = Post("hello", "text/plain");
  EXPECT_EQ(res.result(), http::status::unsupported_media_type);
  EXPECT_NE(res.body().find("application/x-protobuf"), std::string::npos);
  EXPECT_EQ(RequestsRefused(RefusalReason::kUnsupportedMediaType), 1u);
}

TEST_F(OtlpHttp, TruncatedProtobufIs400NamingTheField) {
  std::string bytes = TwoSpans();
  bytes.resize(bytes.size() - 3);
  HttpResponse res = Post(bytes);
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_NE(res.body().find("resource_spans[0]"), std::string::npos);
  EXPECT_EQ(RequestsRefused(RefusalReason::kMalformed), 1u);
  EXPECT_EQ(store_.span_count(), 0u);
}

TEST_F(OtlpHttp, InvalidJsonIs400WithAJsonStatusBody) {
  HttpResponse res = Post("{\"resourceSpans\": [", "application/json");
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_NE(res.body().find("\"code\":3"), std::string::npos) << res.body();
  EXPECT_NE(res.body().find("invalid JSON"), std::string::npos) << res.body();
}

TEST_F(OtlpHttp, AllZeroTraceIdIsAPartialSuccess) {
  pbc::ExportTraceServiceRequest req;
  AddSpan(req, "svc", "good", 1, 1);
  AddSpan(req, "svc", "zero", 1, 2)->set_trace_id(Bytes(16, '\0'));
  HttpResponse res = Post(req.SerializeAsString());
  ASSERT_EQ(res.result(), http::status::ok);
  pbc::ExportTraceServiceResponse body;
  ASSERT_TRUE(body.ParseFromString(res.body()));
  EXPECT_EQ(body.partial_success().rejected_spans(), 1);
  EXPECT_NE(body.partial_success().error_message().find("spans[1].trace_id: all zero"),
            std::string::npos)
      << body.partial_success().error_message();
  EXPECT_EQ(SpansRefused(RefusalReason::kInvalidTraceId), 1u);
  EXPECT_EQ(counters_.spans_accepted.load(), 1u);
}

TEST_F(OtlpHttp, JsonPartialSuccessIsJson) {
  HttpResponse res = Post(R"({"resourceSpans":[{"scopeSpans":[{"spans":[
      {"traceId":"00000000000000000000000000000000","spanId":"eee19b7ec3c1b174"}]}]}]})",
                          "application/json");
  ASSERT_EQ(res.result(), http::status::ok);
  EXPECT_NE(res.body().find("\"rejectedSpans\":\"1\""), std::string::npos) << res.body();
}

TEST_F(OtlpHttp, FullStoreIs429WithRetryAfter) {
  TraceStoreOptions tiny;
  tiny.max_spans = 1;
  TraceStore small(tiny);
  HttpRequest req{http::verb::post, "/v1/traces", 11};
  req.set(http::field::content_type, "application/x-protobuf");
  req.body() = TwoSpans();
  HttpResponse res = HandleOtlpHttp(std::move(req), small, counters_, limits_);
  EXPECT_EQ(res.result(), http::status::too_many_requests);
  EXPECT_EQ(res[http::field::retry_after], "1");
  EXPECT_EQ(SpansRefused(RefusalReason::kStoreFull), 2u);
}

TEST_F(OtlpHttp, OtherPathsAndMethodsAreRefused) {
  HttpRequest get{http::verb::get, "/v1/traces", 11};
  EXPECT_EQ(HandleOtlpHttp(std::move(get), store_, counters_, limits_).result(),
            http::status::method_not_allowed);
  HttpRequest metrics{http::verb::post, "/v1/metrics", 11};
  EXPECT_EQ(HandleOtlpHttp(std::move(metrics), store_, counters_, limits_).result(),
            http::status::not_found);
}

TEST_F(OtlpHttp, RequestWithoutTheRequiredHeaderIs401CountedAndNeverStored) {
  limits_.required_headers = {{"authorization", "Bearer s3cret"}};
  HttpResponse res = Post(TwoSpans());
  EXPECT_EQ(res.result(), http::status::unauthorized);
  EXPECT_EQ(res[http::field::content_type], "application/x-protobuf");  // google.rpc.Status
  EXPECT_EQ(res.body().find("s3cret"), std::string::npos);
  EXPECT_EQ(RequestsRefused(RefusalReason::kUnauthenticated), 1u);
  EXPECT_EQ(store_.span_count(), 0u);

  // Wrong value, and a right one under another spelling of the name.
  auto with = [&](const char* name, const char* value) {
    HttpRequest req{http::verb::post, "/v1/traces", 11};
    req.set(http::field::content_type, "application/x-protobuf");
    req.set(name, value);
    req.body() = TwoSpans();
    req.prepare_payload();
    return HandleOtlpHttp(std::move(req), store_, counters_, limits_).result();
  };
  EXPECT_EQ(with("Authorization", "Bearer s3cre"), http::status::unauthorized);
  EXPECT_EQ(with("AUTHORIZATION", "Bearer s3cret"), http::status::ok);
  EXPECT_EQ(RequestsRefused(RefusalReason::kUnauthenticated), 2u);
  EXPECT_EQ(store_.span_count(), 2u);
}

TEST_F(OtlpHttp, UnauthenticatedRequestsLearnNothingAboutRoutes) {
  limits_.required_headers = {{"x-api-key", "k"}};
  HttpRequest metrics{http::verb::post, "/v1/metrics", 11};
  EXPECT_EQ(HandleOtlpHttp(std::move(metrics), store_, counters_, limits_).result(),
            http::status::unauthorized);
}

}  // namespace
}  // namespace traceproof
