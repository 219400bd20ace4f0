#include "receiver/grpc_receiver.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/duration.pb.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <future>
#include <map>

#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "store/trace_store.h"
#include "test_requests.h"

namespace traceproof {
namespace {

using namespace testing;

class OtlpGrpc : public ::testing::Test {
 protected:
  void Start(TraceStoreOptions options = {}, ReceiverLimits limits = {}) {
    store_ = std::make_unique<TraceStore>(options);
    std::string error;
    receiver_ = StartGrpcReceiver({"127.0.0.1", 0, limits, {}}, *store_, counters_, error);
    ASSERT_TRUE(receiver_) << error;
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(receiver_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = pbc::TraceService::NewStub(channel_);
  }
  grpc::Status Export(const pbc::ExportTraceServiceRequest& req,
                      pbc::ExportTraceServiceResponse& res,
                      std::multimap<std::string, std::string> metadata = {}) {
    grpc::ClientContext ctx;
    for (const auto& [k, v] : metadata) ctx.AddMetadata(k, v);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return stub_->Export(&ctx, req, &res);
  }
  void TearDown() override {
    if (receiver_) receiver_->Stop();
  }

  std::unique_ptr<TraceStore> store_;
  IngestCounters counters_;
  std::unique_ptr<GrpcReceiver> receiver_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pbc::TraceService::Stub> stub_;
};

TEST_F(OtlpGrpc, ExportStoresTheSpans) {
  Start();
  pbc::ExportTraceServiceRequest req;
  AddSpan(req, "svc", "a", 1, 1);
  AddSpan(req, "svc", "b", 1, 2, 1);
  pbc::ExportTraceServiceResponse res;
  grpc::Status status = Export(req, res);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(res.has_partial_success());
  EXPECT_EQ(store_->span_count(), 2u);
}

TEST_F(OtlpGrpc, InvalidSpanIdIsAPartialSuccess) {
  Start();
  pbc::ExportTraceServiceRequest req;
  AddSpan(req, "svc", "a", 1, 1);
  AddSpan(req, "svc", "b", 1, 2)->set_span_id(Bytes(8, '\0'));
  pbc::ExportTraceServiceResponse res;
  ASSERT_TRUE(Export(req, res).ok());
  EXPECT_EQ(res.partial_success().rejected_spans(), 1);
  EXPECT_NE(res.partial_success().error_message().find("spans[1].span_id: all zero"),
            std::string::npos);
}

TEST_F(OtlpGrpc, MalformedBytesAreInvalidArgumentNamingTheField) {
  Start();
  grpc::GenericStub generic(channel_);
  const std::string bytes(
      "\x0a\x0a\x12\x08\x12\x06\x2a\x08"
      "abcd",
      12);
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  std::promise<grpc::Status> done;
  generic.UnaryCall(&ctx, "/opentelemetry.proto.collector.trace.v1.TraceService/Export", {},
                    &request, &response, [&](grpc::Status s) { done.set_value(s); });
  grpc::Status status = done.get_future().get();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "resource_spans[0].scope_spans[0].spans[0].name: length 8 exceeds the 4 bytes left");
  EXPECT_EQ(counters_.requests_refused[static_cast<int>(RefusalReason::kMalformed)].load(), 1u);
}

TEST_F(OtlpGrpc, FullStoreIsResourceExhaustedWithRetryInfo) {
  TraceStoreOptions tiny;
  tiny.max_spans = 1;
  Start(tiny);
  pbc::ExportTraceServiceRequest req;
  AddSpan(req, "svc", "a", 1, 1);
  AddSpan(req, "svc", "b", 1, 2, 1);
  pbc::ExportTraceServiceResponse res;
  grpc::Status status = Export(req, res);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // google.rpc.Status{code=1, message=2, details=3 (Any)}: find the RetryInfo detail.
  const std::string& details = status.error_details();
  EXPECT_NE(details.find("type.googleapis.com/google.rpc.RetryInfo"), std::string::npos);
  EXPECT_EQ(counters_.spans_refused[static_cast<int>(RefusalReason::kStoreFull)].load(), 2u);
}

TEST_F(OtlpGrpc, CallWithoutTheRequiredHeaderIsUnauthenticatedAndCounted) {
  ReceiverLimits limits;
  limits.required_headers = {{"authorization", "Bearer s3cret"}};
  Start({}, limits);
  pbc::ExportTraceServiceRequest req;
  AddSpan(req, "svc", "a", 1, 1);
  pbc::ExportTraceServiceResponse res;
  grpc::Status status = Export(req, res);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(status.error_message().find("authorization"), std::string::npos);
  EXPECT_EQ(status.error_message().find("s3cret"), std::string::npos);
  EXPECT_EQ(Export(req, res, {{"authorization", "Bearer s3cre"}}).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Export(req, res, {{"authorization", "Bearer s3crett"}}).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(store_->span_count(), 0u);
  EXPECT_EQ(counters_.requests_refused[static_cast<int>(RefusalReason::kUnauthenticated)].load(),
            3u);

  status = Export(req, res, {{"authorization", "Bearer s3cret"}});
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(store_->span_count(), 1u);
}

TEST_F(OtlpGrpc, BusyPortIsAnErrorNotASharedPort) {
  Start();
  TraceStore other;
  IngestCounters counters;
  std::string error;
  auto second = StartGrpcReceiver({"127.0.0.1", receiver_->port(), {}, {}}, other, counters, error);
  EXPECT_FALSE(second);
  EXPECT_NE(error.find("cannot listen"), std::string::npos) << error;
}

}  // namespace
}  // namespace traceproof
