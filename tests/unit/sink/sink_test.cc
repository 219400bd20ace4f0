#include "sink/sink.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "store/trace_store.h"
#include "test_requests.h"

namespace traceproof {
namespace {

using namespace testing;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

pbc::ExportTraceServiceRequest Request(int trace, int spans) {
  pbc::ExportTraceServiceRequest request;
  for (int i = 1; i <= spans; ++i) AddSpan(request, "svc", "op", trace, i, i == 1 ? 0 : 1);
  return request;
}

// POSTs `body` as OTLP/HTTP protobuf to 127.0.0.1:port and returns the status code.
int PostProtobuf(std::uint16_t port, const std::string& body) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(10));
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{http::verb::post, "/v1/traces", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, "application/x-protobuf");
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return res.result_int();
}

grpc::Status ExportGrpc(std::uint16_t port, const pbc::ExportTraceServiceRequest& request) {
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  auto stub = pbc::TraceService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  pbc::ExportTraceServiceResponse response;
  return stub->Export(&context, request, &response);
}

bool SomethingListensOn(std::uint16_t port) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  beast::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  return !ec;
}

// A port with a listener on it, held for the test's lifetime.
class BusyPort {
 public:
  BusyPort() : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
};

// A port that was free a moment ago.
std::uint16_t FreePort() { return BusyPort().port(); }

TEST(Sink, BothReceiversListenOnFreePortsAndCountWhatArrives) {
  TraceStore store;
  std::string error;
  auto sink = MakeSink({}, store, error);
  ASSERT_TRUE(sink) << error;
  ASSERT_NE(sink->grpc_port(), 0);
  ASSERT_NE(sink->http_port(), 0);
  EXPECT_NE(sink->grpc_port(), sink->http_port());

  EXPECT_EQ(PostProtobuf(sink->http_port(), *Serialize(Request(1, 2))), 200);
  const grpc::Status status = ExportGrpc(sink->grpc_port(), Request(2, 3));
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(PostProtobuf(sink->http_port(), "\x0a\x0a\x12\x08"), 400);  // truncated

  const IngestCounters& c = sink->counters();
  EXPECT_EQ(c.requests.load(), 3u);
  EXPECT_EQ(c.spans_accepted.load(), 5u);
  EXPECT_EQ(c.RequestsRefused(), 1u);
  EXPECT_EQ(store.span_count(), 5u);
  EXPECT_FALSE(sink->forwarder_stats());  // not forwarding
}

TEST(Sink, AReceiverSwitchedOffHasPortZero) {
  TraceStore store;
  std::string error;
  SinkOptions grpc_only;
  grpc_only.http.reset();
  auto a = MakeSink(grpc_only, store, error);
  ASSERT_TRUE(a) << error;
  EXPECT_NE(a->grpc_port(), 0);
  EXPECT_EQ(a->http_port(), 0);

  SinkOptions http_only;
  http_only.grpc.reset();
  auto b = MakeSink(http_only, store, error);
  ASSERT_TRUE(b) << error;
  EXPECT_EQ(b->grpc_port(), 0);
  EXPECT_NE(b->http_port(), 0);
}

TEST(Sink, BothReceiversOffIsAnError) {
  TraceStore store;
  SinkOptions none;
  none.grpc.reset();
  none.http.reset();
  std::string error;
  EXPECT_FALSE(MakeSink(none, store, error));
  EXPECT_NE(error.find("both receivers are off"), std::string::npos) << error;
}

TEST(Sink, TlsThatCannotWorkIsAnErrorBeforeEitherReceiverListens) {
  TraceStore store;
  SinkOptions options;
  options.http.reset();  // gRPC alone would take the PEM and fail at every handshake
  options.tls = ReceiverTls{"not a certificate", "not a key", ""};
  std::string error;
  EXPECT_FALSE(MakeSink(options, store, error));
  EXPECT_NE(error.find("TLS certificate"), std::string::npos) << error;
}

TEST(Sink, RequiredHeadersApplyToBothReceivers) {
  TraceStore store;
  SinkOptions options;
  options.limits.required_headers = {{"authorization", "Bearer s3cret"}};
  std::string error;
  auto sink = MakeSink(options, store, error);
  ASSERT_TRUE(sink) << error;
  EXPECT_EQ(PostProtobuf(sink->http_port(), Request(1, 2).SerializeAsString()), 401);
  auto stub = pbc::TraceService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(sink->grpc_port()), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  pbc::ExportTraceServiceResponse response;
  EXPECT_EQ(stub->Export(&context, Request(2, 1), &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  sink->Stop();
  EXPECT_EQ(sink->counters()
                .requests_refused[static_cast<std::size_t>(RefusalReason::kUnauthenticated)]
                .load(),
            2u);
  EXPECT_EQ(store.span_count(), 0u);
}

TEST(Sink, ABusyGrpcPortIsAnErrorNamingTheReceiverAndThePort) {
  BusyPort busy;
  TraceStore store;
  SinkOptions options;
  options.grpc->port = busy.port();
  std::string error;
  EXPECT_FALSE(MakeSink(options, store, error));
  EXPECT_EQ(error.rfind("embedded sink (OTLP/gRPC) did not start: ", 0), 0u) << error;
  EXPECT_NE(error.find("127.0.0.1:" + std::to_string(busy.port())), std::string::npos) << error;
}

TEST(Sink, ABusyHttpPortLeavesTheStartedGrpcReceiverClosed) {
  BusyPort busy;
  const std::uint16_t grpc_port = FreePort();
  TraceStore store;
  SinkOptions options;
  options.grpc->port = grpc_port;
  options.http->port = busy.port();
  SinkStartError error;
  EXPECT_FALSE(MakeSink(options, store, error));
  EXPECT_EQ(error.receiver, "OTLP/HTTP");
  EXPECT_NE(error.reason.find("127.0.0.1:" + std::to_string(busy.port())), std::string::npos)
      << error.reason;
  EXPECT_EQ(error.Message(), "embedded sink (OTLP/HTTP) did not start: " + error.reason);
  EXPECT_FALSE(SomethingListensOn(grpc_port));
}

TEST(Sink, ForwardingPassesAcceptedRequestsOnToASecondSink) {
  TraceStore backend_store;
  SinkOptions backend_options;
  backend_options.http.reset();
  std::string error;
  auto backend = MakeSink(backend_options, backend_store, error);
  ASSERT_TRUE(backend) << error;

  TraceStore store;
  SinkOptions options;
  options.forward = ForwarderOptions{};
  options.forward->endpoint = "127.0.0.1:" + std::to_string(backend->grpc_port());
  options.forward_drain_timeout = std::chrono::seconds(10);
  auto sink = MakeSink(options, store, error);
  ASSERT_TRUE(sink) << error;
  EXPECT_EQ(PostProtobuf(sink->http_port(), *Serialize(Request(1, 2))), 200);
  EXPECT_TRUE(ExportGrpc(sink->grpc_port(), Request(2, 3)).ok());
  EXPECT_EQ(PostProtobuf(sink->http_port(), "\x0a\x0a\x12\x08"), 400);  // never forwarded
  sink->Stop();

  const std::optional<ForwarderStats> st = sink->forwarder_stats();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->endpoint, options.forward->endpoint);
  EXPECT_EQ(st->requests_forwarded, 2u) << st->last_error;
  EXPECT_EQ(st->spans_forwarded, 5u);
  EXPECT_EQ(st->requests_failed + st->requests_dropped, 0u) << st->last_error;
  EXPECT_EQ(backend->counters().requests.load(), 2u);
  EXPECT_EQ(backend->counters().spans_accepted.load(), 5u);
  EXPECT_EQ(backend_store.span_count(), 5u);
  EXPECT_EQ(store.span_count(), 5u);  // forwarding never costs the sink its spans
}

TEST(Sink, StopIsIdempotentAndClosesBothReceivers) {
  TraceStore store;
  std::string error;
  auto sink = MakeSink({}, store, error);
  ASSERT_TRUE(sink) << error;
  const std::uint16_t grpc_port = sink->grpc_port(), http_port = sink->http_port();
  EXPECT_EQ(PostProtobuf(http_port, *Serialize(Request(1, 1))), 200);
  sink->Stop();
  sink->Stop();
  EXPECT_FALSE(SomethingListensOn(grpc_port));
  EXPECT_FALSE(SomethingListensOn(http_port));
  EXPECT_EQ(sink->counters().spans_accepted.load(), 1u);
  sink.reset();  // the destructor stops again
}

}  // namespace
}  // namespace traceproof
