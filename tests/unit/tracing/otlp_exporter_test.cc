#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/gzip.h"
#include "otlp/json.h"
#include "otlp/rpc_status.h"
#include "receiver/grpc_receiver.h"
#include "receiver/http_receiver.h"
#include "receiver_under_test.h"
#include "store/trace_store.h"
#include "test_requests.h"
#include "tracing/export_request.h"
#include "tracing/otlp_grpc_exporter.h"
#include "tracing/otlp_http_exporter.h"

namespace traceproof {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace pbc = opentelemetry::proto::collector::trace::v1;
namespace pbt = opentelemetry::proto::trace::v1;
using namespace std::chrono_literals;
using asio::ip::tcp;
using testing::SpanIdBytes;
using testing::TraceIdBytes;
using SteadyClock = std::chrono::steady_clock;

ResourceInfo TestResource(const std::string& service) {
  opentelemetry::proto::resource::v1::Resource resource;
  ResourceInfo info;
  info.attributes = {{"service.name", service}, {"deployment.environment", "test"}};
  for (const auto& [k, v] : info.attributes) {
    auto* kv = resource.add_attributes();
    kv->set_key(k);
    kv->mutable_value()->set_string_value(v);
  }
  opentelemetry::proto::common::v1::InstrumentationScope scope;
  scope.set_name("traceproof.test");
  scope.set_version("1.2.3");
  info.encoded_resource = resource.SerializeAsString();
  info.encoded_scope = scope.SerializeAsString();
  return info;
}

FinishedSpan EncodedSpan(int trace, int span, int parent, const std::string& name,
                         std::size_t attribute_bytes = 0) {
  pbt::Span s;
  s.set_trace_id(TraceIdBytes(trace));
  s.set_span_id(SpanIdBytes(span));
  if (parent) s.set_parent_span_id(SpanIdBytes(parent));
  s.set_name(name);
  s.set_kind(pbt::Span::SPAN_KIND_SERVER);
  s.set_start_time_unix_nano(1'000'000 + static_cast<std::uint64_t>(span));
  s.set_end_time_unix_nano(2'000'000 + static_cast<std::uint64_t>(span));
  if (attribute_bytes > 0) {
    auto* kv = s.add_attributes();
    kv->set_key("payload");
    kv->mutable_value()->set_string_value(std::string(attribute_bytes, 'x'));
  }
  FinishedSpan f;
  f.context.trace_id = TraceId::FromBytes(TraceIdBytes(trace));
  f.context.span_id = SpanId::FromBytes(SpanIdBytes(span));
  f.context.trace_flags = 1;
  if (parent) f.parent_span_id = SpanId::FromBytes(SpanIdBytes(parent));
  f.encoded = s.SerializeAsString();
  return f;
}

OtlpExporterOptions Options(std::uint16_t port, int max_attempts = 2) {
  OtlpExporterOptions o;
  o.endpoint = "127.0.0.1:" + std::to_string(port);
  o.resource = TestResource("checkout");
  o.timeout = 4s;
  o.max_attempts = max_attempts;
  o.initial_backoff = 10ms;
  o.max_backoff = 50ms;
  return o;
}

std::uint16_t UnusedPort() {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();  // closed on return: nobody listens there
}

// --- export_request.h ---------------------------------------------------------------------

TEST(ExportRequest, RoundTripsThroughTheGeneratedClasses) {
  const ResourceInfo resource = TestResource("checkout");
  std::vector<FinishedSpan> spans;
  // 512 spans with a 300-byte attribute: lengths need multi-byte varints at every level.
  for (int i = 1; i <= 512; ++i) spans.push_back(EncodedSpan(7, i, i == 1 ? 0 : 1, "op", 300));
  pbc::ExportTraceServiceRequest request;
  ASSERT_TRUE(request.ParseFromString(BuildExportRequest(resource, spans)));
  ASSERT_EQ(request.resource_spans_size(), 1);
  const auto& rs = request.resource_spans(0);
  ASSERT_EQ(rs.resource().attributes_size(), 2);
  EXPECT_EQ(rs.resource().attributes(0).key(), "service.name");
  EXPECT_EQ(rs.resource().attributes(0).value().string_value(), "checkout");
  EXPECT_EQ(rs.resource().attributes(1).value().string_value(), "test");
  ASSERT_EQ(rs.scope_spans_size(), 1);
  EXPECT_EQ(rs.scope_spans(0).scope().name(), "traceproof.test");
  EXPECT_EQ(rs.scope_spans(0).scope().version(), "1.2.3");
  ASSERT_EQ(rs.scope_spans(0).spans_size(), 512);
  for (int i = 0; i < 512; ++i) {
    const pbt::Span& s = rs.scope_spans(0).spans(i);
    EXPECT_EQ(s.trace_id(), TraceIdBytes(7));
    EXPECT_EQ(s.span_id(), SpanIdBytes(i + 1));
    EXPECT_EQ(s.parent_span_id(), i == 0 ? "" : SpanIdBytes(1));
    EXPECT_EQ(s.name(), "op");
    EXPECT_EQ(s.attributes(0).value().string_value().size(), 300u);
  }
}

TEST(ExportRequest, AnEmptyBatchIsAValidRequestWithNoSpans) {
  pbc::ExportTraceServiceRequest request;
  ASSERT_TRUE(request.ParseFromString(BuildExportRequest(TestResource("svc"), {})));
  ASSERT_EQ(request.resource_spans_size(), 1);
  EXPECT_EQ(request.resource_spans(0).scope_spans(0).spans_size(), 0);
}

TEST(ExportRequest, ReadsPartialSuccessFromTheResponse) {
  auto partial = ParseExportResponse(ExportResponseProto(3, "3 of 5 spans rejected"));
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->rejected_spans, 3u);
  EXPECT_EQ(partial->error_message, "3 of 5 spans rejected");
  partial = ParseExportResponse("");
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->rejected_spans, 0u);
  EXPECT_FALSE(ParseExportResponse("\x0a\x05\x08"));  // truncated
}

TEST(ExportRequest, ReadsRetryInfoDelayAndMessageFromAnRpcStatus) {
  const std::string full = RpcStatusProto(8, "store full", std::chrono::seconds(2));
  EXPECT_EQ(RetryInfoDelay(full), std::chrono::milliseconds(2000));
  EXPECT_EQ(RpcStatusMessage(full), "store full");
  EXPECT_EQ(RetryInfoDelay(RpcStatusProto(3, "malformed")), std::nullopt);
  EXPECT_EQ(RetryInfoDelay(""), std::nullopt);
  EXPECT_EQ(RetryInfoDelay("\x1a\x7f"), std::nullopt);  // details longer than the bytes
}

// The retry loop alone, with scripted attempt outcomes.
struct ScriptedAttempts {
  explicit ScriptedAttempts(std::vector<ExportResult> s) : script(std::move(s)) {}
  std::vector<ExportResult> script;  // the last one repeats
  std::vector<SteadyClock::time_point> calls;
  ExportResult operator()(SteadyClock::time_point) {
    calls.push_back(SteadyClock::now());
    return script[std::min(calls.size(), script.size()) - 1];
  }
};
ExportResult Outcome(ExportResult::Kind kind,
                     std::optional<std::chrono::milliseconds> retry_after = std::nullopt) {
  ExportResult r;
  r.kind = kind;
  r.retry_after = retry_after;
  r.message = "scripted";
  return r;
}

TEST(ExportRequest, RetrierDoesNotRetryANonRetryableOutcome) {
  OtlpExporterCounters counters;
  ExportRetrier retrier(Options(1, 5), counters);
  ScriptedAttempts attempts{{Outcome(ExportResult::Kind::kFailed)}};
  EXPECT_EQ(retrier.Run(std::ref(attempts)).kind, ExportResult::Kind::kFailed);
  EXPECT_EQ(attempts.calls.size(), 1u);
  EXPECT_EQ(counters.attempts.load(), 1u);
  EXPECT_EQ(counters.retries.load(), 0u);
  EXPECT_EQ(counters.failed_exports.load(), 1u);
}

TEST(ExportRequest, RetrierStopsAfterMaxAttempts) {
  OtlpExporterCounters counters;
  ExportRetrier retrier(Options(1, 3), counters);
  ScriptedAttempts attempts{{Outcome(ExportResult::Kind::kRetryable)}};
  ExportResult r = retrier.Run(std::ref(attempts));
  EXPECT_EQ(r.kind, ExportResult::Kind::kRetryable);
  EXPECT_NE(r.message.find("gave up after 3 attempts"), std::string::npos) << r.message;
  EXPECT_EQ(attempts.calls.size(), 3u);
  EXPECT_EQ(counters.attempts.load(), 3u);
  EXPECT_EQ(counters.retries.load(), 2u);
  EXPECT_EQ(counters.failed_exports.load(), 1u);
}

TEST(ExportRequest, RetrierWaitsTheServersRetryAfterThenSucceeds) {
  OtlpExporterCounters counters;
  ExportRetrier retrier(Options(1, 5), counters);
  ScriptedAttempts attempts{
      {Outcome(ExportResult::Kind::kRetryable, 200ms), Outcome(ExportResult::Kind::kSuccess)}};
  EXPECT_EQ(retrier.Run(std::ref(attempts)).kind, ExportResult::Kind::kSuccess);
  ASSERT_EQ(attempts.calls.size(), 2u);
  EXPECT_GE(attempts.calls[1] - attempts.calls[0], 200ms);
  EXPECT_EQ(counters.failed_exports.load(), 0u);
}

TEST(ExportRequest, RetrierGivesUpAtOnceWhenTheNextAttemptWouldMissTheTimeout) {
  OtlpExporterCounters counters;
  auto options = Options(1, 5);
  options.timeout = 300ms;
  ExportRetrier retrier(options, counters);
  ScriptedAttempts attempts{{Outcome(ExportResult::Kind::kRetryable, 1s)}};
  const auto start = SteadyClock::now();
  ExportResult r = retrier.Run(std::ref(attempts));
  EXPECT_LT(SteadyClock::now() - start, 250ms);
  EXPECT_EQ(r.kind, ExportResult::Kind::kRetryable);
  EXPECT_EQ(r.retry_after, std::chrono::milliseconds(1s));
  EXPECT_EQ(attempts.calls.size(), 1u);
}

TEST(ExportRequest, RetrierBacksOffExponentiallyUpToTheCap) {
  OtlpExporterCounters counters;
  auto options = Options(1, 6);
  options.initial_backoff = 20ms;
  options.max_backoff = 40ms;
  ExportRetrier retrier(options, counters);
  ScriptedAttempts attempts{{Outcome(ExportResult::Kind::kRetryable)}};
  retrier.Run(std::ref(attempts));
  ASSERT_EQ(attempts.calls.size(), 6u);
  EXPECT_GE(attempts.calls[1] - attempts.calls[0], 16ms);  // 20 ms -20% jitter
  EXPECT_GE(attempts.calls[2] - attempts.calls[1], 32ms);  // doubled
  // Uncapped, the five waits would add up to 620 ms; capped at 40 ms they stay under 184 ms.
  EXPECT_LT(attempts.calls[5] - attempts.calls[0], 450ms);
}

TEST(ExportRequest, RetrierShutdownEndsABackoffWaitAtOnce) {
  OtlpExporterCounters counters;
  auto options = Options(1, 5);
  options.timeout = 20s;
  ExportRetrier retrier(options, counters);
  ScriptedAttempts attempts{{Outcome(ExportResult::Kind::kRetryable, 10s)}};
  std::thread stopper([&] {
    std::this_thread::sleep_for(100ms);
    retrier.Shutdown();
  });
  const auto start = SteadyClock::now();
  ExportResult r = retrier.Run(std::ref(attempts));
  stopper.join();
  EXPECT_LT(SteadyClock::now() - start, 2s);
  EXPECT_EQ(r.kind, ExportResult::Kind::kFailed);
  EXPECT_EQ(retrier.Run(std::ref(attempts)).kind, ExportResult::Kind::kFailed);
  EXPECT_EQ(attempts.calls.size(), 1u);  // no attempt after shutdown
}

// --- against the real sink -----------------------------------------------------------------

using testing::Transport;
using Sink = testing::ReceiverUnderTest;

std::unique_ptr<OtlpExporter> Make(Transport transport, const OtlpExporterOptions& options) {
  return transport == Transport::kHttp ? MakeOtlpHttpExporter(options)
                                       : MakeOtlpGrpcExporter(options);
}

void ExpectDeliveredToSink(Transport transport, bool gzip) {
  SCOPED_TRACE(gzip ? "gzip" : "uncompressed");
  Sink sink(transport);
  auto options = Options(sink.port());
  options.gzip = gzip;
  auto exporter = Make(transport, options);
  // Two batches on one exporter: the second goes over the same connection.
  std::vector<FinishedSpan> first = {EncodedSpan(1, 1, 0, "GET /cart"),
                                     EncodedSpan(1, 2, 1, "SELECT cart")};
  std::vector<FinishedSpan> second = {EncodedSpan(2, 3, 0, "POST /pay")};
  for (const auto* batch : {&first, &second}) {
    ExportResult r = exporter->Export(*batch);
    EXPECT_EQ(r.kind, ExportResult::Kind::kSuccess) << r.message;
    EXPECT_EQ(r.rejected_spans, 0u);
  }
  EXPECT_EQ(exporter->counters().attempts.load(), 2u);
  EXPECT_EQ(sink.counters().spans_accepted.load(), 3u);

  std::map<std::string, std::pair<std::string, std::string>> seen;  // span id -> trace, service
  std::map<std::string, std::string> parents;
  for (const auto& trace : sink.store().CollectCompleted(true)) {
    for (const SpanView& s : trace->spans) {
      seen[s.span_id.Hex()] = {s.trace_id.Hex(), std::string(s.service_name)};
      parents[s.span_id.Hex()] = s.IsRoot() ? "" : s.parent_span_id.Hex();
    }
  }
  auto hex = [](const std::string& bytes) {
    return bytes.size() == 16 ? TraceId::FromBytes(bytes).Hex() : SpanId::FromBytes(bytes).Hex();
  };
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[hex(SpanIdBytes(1))],
            std::make_pair(hex(TraceIdBytes(1)), std::string("checkout")));
  EXPECT_EQ(seen[hex(SpanIdBytes(2))],
            std::make_pair(hex(TraceIdBytes(1)), std::string("checkout")));
  EXPECT_EQ(seen[hex(SpanIdBytes(3))],
            std::make_pair(hex(TraceIdBytes(2)), std::string("checkout")));
  EXPECT_EQ(parents[hex(SpanIdBytes(2))], hex(SpanIdBytes(1)));
}

TEST(OtlpHttpExporter, DeliversSpansToTheSinkWithExactIdsAndServiceName) {
  ExpectDeliveredToSink(Transport::kHttp, false);
  ExpectDeliveredToSink(Transport::kHttp, true);
}

TEST(OtlpGrpcExporter, DeliversSpansToTheSinkWithExactIdsAndServiceName) {
  ExpectDeliveredToSink(Transport::kGrpc, false);
  ExpectDeliveredToSink(Transport::kGrpc, true);
}

void ExpectPartialSuccessReported(Transport transport) {
  Sink sink(transport);
  auto exporter = Make(transport, Options(sink.port()));
  FinishedSpan bad = EncodedSpan(1, 2, 0, "bad");
  pbt::Span s;
  ASSERT_TRUE(s.ParseFromString(bad.encoded));
  s.set_trace_id(std::string(15, '\x01'));  // one byte short: the sink rejects just this span
  bad.encoded = s.SerializeAsString();
  ExportResult r = exporter->Export({EncodedSpan(1, 1, 0, "good"), bad});
  EXPECT_EQ(r.kind, ExportResult::Kind::kSuccess) << r.message;
  EXPECT_EQ(r.rejected_spans, 1u);
  EXPECT_NE(r.message.find("trace_id"), std::string::npos) << r.message;
}

TEST(OtlpHttpExporter, ReportsPartialSuccessRejectedSpans) {
  ExpectPartialSuccessReported(Transport::kHttp);
}
TEST(OtlpGrpcExporter, ReportsPartialSuccessRejectedSpans) {
  ExpectPartialSuccessReported(Transport::kGrpc);
}

// A store that holds one span refuses a batch of two: HTTP 429 + Retry-After: 1, gRPC
// RESOURCE_EXHAUSTED + RetryInfo 1 s. Both must wait that second, retry, then give up.
void ExpectFullSinkRetriedThenRetryable(Transport transport) {
  TraceStoreOptions small;
  small.max_spans = 1;
  Sink sink(transport, small);
  auto exporter = Make(transport, Options(sink.port(), 2));
  const auto start = SteadyClock::now();
  ExportResult r = exporter->Export({EncodedSpan(1, 1, 0, "a"), EncodedSpan(1, 2, 1, "b")});
  const auto elapsed = SteadyClock::now() - start;
  EXPECT_EQ(r.kind, ExportResult::Kind::kRetryable) << r.message;
  EXPECT_EQ(r.retry_after, std::chrono::milliseconds(1s));
  EXPECT_EQ(exporter->counters().attempts.load(), 2u);
  EXPECT_EQ(exporter->counters().retries.load(), 1u);
  EXPECT_EQ(exporter->counters().failed_exports.load(), 1u);
  EXPECT_EQ(sink.counters().requests.load(), 2u);
  EXPECT_GE(elapsed, 900ms);  // the server's 1 s, not our 10 ms backoff
  EXPECT_LT(elapsed, 3s);
}

TEST(OtlpHttpExporter, RetriesA429AfterRetryAfterAndGivesUpAsRetryable) {
  ExpectFullSinkRetriedThenRetryable(Transport::kHttp);
}
TEST(OtlpGrpcExporter, RetriesResourceExhaustedWithRetryInfoAndGivesUpAsRetryable) {
  ExpectFullSinkRetriedThenRetryable(Transport::kGrpc);
}

// A sink with require_headers takes what an exporter with those headers sends, and refuses the
// same exporter without them at once (not retried: a missing token does not come back).
void ExpectRequiredHeadersSent(Transport transport) {
  ReceiverLimits limits;
  limits.required_headers = {{"authorization", "Bearer s3cret"}};
  Sink sink(transport, {}, limits);
  auto options = Options(sink.port(), 5);
  options.headers = {{"authorization", "Bearer s3cret"}};
  ExportResult r = Make(transport, options)->Export({EncodedSpan(1, 1, 0, "GET /cart")});
  EXPECT_EQ(r.kind, ExportResult::Kind::kSuccess) << r.message;
  EXPECT_EQ(sink.counters().spans_accepted.load(), 1u);

  options.headers.clear();
  auto bare = Make(transport, options);
  r = bare->Export({EncodedSpan(2, 2, 0, "GET /cart")});
  EXPECT_EQ(r.kind, ExportResult::Kind::kFailed);
  EXPECT_NE(r.message.find(transport == Transport::kHttp ? "HTTP 401" : "status 16"),
            std::string::npos)
      << r.message;
  EXPECT_EQ(bare->counters().attempts.load(), 1u);
  EXPECT_EQ(sink.counters().spans_accepted.load(), 1u);
  EXPECT_EQ(
      sink.counters().requests_refused[static_cast<int>(RefusalReason::kUnauthenticated)].load(),
      1u);
}

TEST(OtlpHttpExporter, SendsTheHeadersASinkRequires) {
  ExpectRequiredHeadersSent(Transport::kHttp);
}

TEST(OtlpGrpcExporter, SendsTheHeadersASinkRequires) {
  ExpectRequiredHeadersSent(Transport::kGrpc);
}

TEST(OtlpGrpcExporter, InvalidArgumentFailsAtOnceWithoutRetry) {
  Sink sink(Transport::kGrpc);
  auto exporter = Make(Transport::kGrpc, Options(sink.port(), 5));
  FinishedSpan garbage = EncodedSpan(1, 1, 0, "x");
  garbage.encoded = "\x0f\xff\xff";  // wire type 7: the sink calls the request malformed
  ExportResult r = exporter->Export({garbage});
  EXPECT_EQ(r.kind, ExportResult::Kind::kFailed);
  EXPECT_NE(r.message.find("invalid tag"), std::string::npos) << r.message;
  EXPECT_EQ(exporter->counters().attempts.load(), 1u);
  EXPECT_EQ(sink.counters().requests.load(), 1u);
}

TEST(OtlpHttpExporter, MalformedRequestFailsAtOnceWithoutRetry) {
  Sink sink(Transport::kHttp);
  auto exporter = Make(Transport::kHttp, Options(sink.port(), 5));
  FinishedSpan garbage = EncodedSpan(1, 1, 0, "x");
  garbage.encoded = "\x0f\xff\xff";
  ExportResult r = exporter->Export({garbage});
  EXPECT_EQ(r.kind, ExportResult::Kind::kFailed);
  EXPECT_NE(r.message.find("HTTP 400"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("invalid tag"), std::string::npos) << r.message;
  EXPECT_EQ(exporter->counters().attempts.load(), 1u);
}

void ExpectConnectionRefusedRetryableAndBounded(Transport transport) {
  auto options = Options(UnusedPort(), 3);
  options.timeout = 3s;
  auto exporter = Make(transport, options);
  const auto start = SteadyClock::now();
  ExportResult r = exporter->Export({EncodedSpan(1, 1, 0, "x")});
  EXPECT_EQ(r.kind, ExportResult::Kind::kRetryable) << r.message;
  EXPECT_EQ(exporter->counters().attempts.load(), 3u);
  EXPECT_LT(SteadyClock::now() - start, 2s);
}

TEST(OtlpHttpExporter, ConnectionRefusedIsRetryableAndBounded) {
  ExpectConnectionRefusedRetryableAndBounded(Transport::kHttp);
}
TEST(OtlpGrpcExporter, ConnectionRefusedIsRetryableAndBounded) {
  ExpectConnectionRefusedRetryableAndBounded(Transport::kGrpc);
}

void ExpectShutdownCutsBackoffShort(Transport transport) {
  auto options = Options(UnusedPort(), 10);
  options.timeout = 30s;
  options.initial_backoff = 5s;
  options.max_backoff = 5s;
  auto exporter = Make(transport, options);
  std::thread stopper([&] {
    std::this_thread::sleep_for(200ms);
    exporter->Shutdown();
  });
  const auto start = SteadyClock::now();
  ExportResult r = exporter->Export({EncodedSpan(1, 1, 0, "x")});
  stopper.join();
  EXPECT_EQ(r.kind, ExportResult::Kind::kFailed) << r.message;
  EXPECT_LT(SteadyClock::now() - start, 2s);
  EXPECT_EQ(exporter->Export({EncodedSpan(1, 2, 0, "y")}).kind, ExportResult::Kind::kFailed);
}

TEST(OtlpHttpExporter, ShutdownFromAnotherThreadCutsABackoffShort) {
  ExpectShutdownCutsBackoffShort(Transport::kHttp);
}
TEST(OtlpGrpcExporter, ShutdownFromAnotherThreadCutsABackoffShort) {
  ExpectShutdownCutsBackoffShort(Transport::kGrpc);
}

// --- against a scripted HTTP server ----------------------------------------------------------

// Answers POSTs with scripted statuses (then 200), records what it received, and can close each
// connection after answering without saying so, as a server whose idle timeout fired would.
class ScriptedHttpServer {
 public:
  struct Reply {
    unsigned status = 200;
    std::string retry_after;
  };
  struct Received {
    std::string content_encoding;
    std::string body;
  };

  explicit ScriptedHttpServer(std::vector<Reply> script, bool close_after_reply = false)
      : script_(std::move(script)), close_after_reply_(close_after_reply) {
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(ioc_, Accept(), asio::detached);
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~ScriptedHttpServer() {
    ioc_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return port_; }
  int connections() const {
    std::lock_guard lock(mu_);
    return connections_;
  }
  std::vector<Received> received() const {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  asio::awaitable<void> Accept() {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket =
          co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      {
        std::lock_guard lock(mu_);
        ++connections_;
      }
      asio::co_spawn(ioc_, Serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> Serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    for (;;) {
      beast::error_code ec;
      http::request<http::string_body> req;
      co_await http::async_read(socket, buffer, req, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      Reply reply;
      {
        std::lock_guard lock(mu_);
        received_.push_back({std::string(req[http::field::content_encoding]), req.body()});
        if (received_.size() <= script_.size()) reply = script_[received_.size() - 1];
      }
      http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
      res.set(http::field::content_type, "application/x-protobuf");
      if (!reply.retry_after.empty()) res.set(http::field::retry_after, reply.retry_after);
      res.body() = reply.status == 200 ? ExportResponseProto(0, "")
                                       : RpcStatusProto(reply.status == 400 ? 3 : 14, "scripted");
      res.keep_alive(true);
      res.prepare_payload();
      co_await http::async_write(socket, res, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || close_after_reply_) co_return;
    }
  }

  asio::io_context ioc_;
  tcp::acceptor acceptor_{ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  const std::vector<Reply> script_;
  const bool close_after_reply_;
  std::uint16_t port_ = 0;
  mutable std::mutex mu_;
  int connections_ = 0;
  std::vector<Received> received_;
  std::thread thread_;
};

TEST(OtlpHttpExporter, RetriesA503AndSucceedsOnTheSecondAttempt) {
  ScriptedHttpServer server({{503, ""}});
  auto exporter = MakeOtlpHttpExporter(Options(server.port(), 5));
  ExportResult r = exporter->Export({EncodedSpan(1, 1, 0, "x")});
  EXPECT_EQ(r.kind, ExportResult::Kind::kSuccess) << r.message;
  EXPECT_EQ(exporter->counters().attempts.load(), 2u);
  EXPECT_EQ(exporter->counters().retries.load(), 1u);
  EXPECT_EQ(exporter->counters().failed_exports.load(), 0u);
  EXPECT_EQ(server.received().size(), 2u);
}

TEST(OtlpHttpExporter, A400FailsAtOnceWithoutRetry) {
  ScriptedHttpServer server({{400, ""}});
  auto exporter = MakeOtlpHttpExporter(Options(server.port(), 5));
  ExportResult r = exporter->Export({EncodedSpan(1, 1, 0, "x")});
  EXPECT_EQ(r.kind, ExportResult::Kind::kFailed);
  EXPECT_NE(r.message.find("HTTP 400: scripted"), std::string::npos) << r.message;
  EXPECT_EQ(exporter->counters().attempts.load(), 1u);
  EXPECT_EQ(server.received().size(), 1u);
}

TEST(OtlpHttpExporter, ReusesOneKeptAliveConnectionAcrossExports) {
  ScriptedHttpServer server({});
  auto exporter = MakeOtlpHttpExporter(Options(server.port()));
  for (int i = 1; i <= 3; ++i)
    EXPECT_EQ(exporter->Export({EncodedSpan(1, i, 0, "x")}).kind, ExportResult::Kind::kSuccess);
  EXPECT_EQ(server.connections(), 1);
}

TEST(OtlpHttpExporter, ResendsOnANewConnectionWhenTheServerClosedTheIdleOne) {
  ScriptedHttpServer server({}, /*close_after_reply=*/true);
  auto exporter = MakeOtlpHttpExporter(Options(server.port(), 1));  // no retries to hide behind
  for (int i = 1; i <= 3; ++i) {
    ExportResult r = exporter->Export({EncodedSpan(1, i, 0, "x")});
    EXPECT_EQ(r.kind, ExportResult::Kind::kSuccess) << r.message;
    std::this_thread::sleep_for(20ms);  // let the server's close arrive first
  }
  EXPECT_EQ(server.connections(), 3);
  EXPECT_EQ(server.received().size(), 3u);
}

TEST(OtlpHttpExporter, GzipSendsTheCompressedRequest) {
  ScriptedHttpServer server({});
  auto options = Options(server.port());
  options.gzip = true;
  auto exporter = MakeOtlpHttpExporter(options);
  const std::vector<FinishedSpan> batch = {EncodedSpan(1, 1, 0, "x", 2000)};
  ASSERT_EQ(exporter->Export(batch).kind, ExportResult::Kind::kSuccess);
  auto received = server.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].content_encoding, "gzip");
  GunzipResult raw = Gunzip(received[0].body, 1 << 20);
  ASSERT_EQ(raw.status, GunzipStatus::kOk) << raw.error;
  EXPECT_EQ(raw.bytes, BuildExportRequest(options.resource, batch));
  EXPECT_LT(received[0].body.size(), raw.bytes.size());
}

}  // namespace
}  // namespace traceproof
