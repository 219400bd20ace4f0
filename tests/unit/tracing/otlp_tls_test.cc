// The exporters, the forwarder's channel and span load over TLS against the real receivers with
// certificates made for the test (test_pki.h): what a trusted server takes, and the refusals a
// serious client must give (an unknown CA, a wrong name, a missing client certificate) at once,
// not after a retry budget.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "load/span_sender.h"
#include "opentelemetry/proto/trace/v1/trace.pb.h"
#include "receiver_under_test.h"
#include "test_pki.h"
#include "test_requests.h"
#include "tracing/otlp_grpc_exporter.h"
#include "tracing/otlp_http_exporter.h"

namespace traceproof {
namespace {

using namespace std::chrono_literals;
using testing::MakeTestPki;
using testing::TestPki;

using testing::ReceiverUnderTest;
using testing::Transport;

// The receiver with the test CA's server certificate; `client_certificates`: mutual TLS.
class TlsSink : public ReceiverUnderTest {
 public:
  TlsSink(Transport transport, const TestPki& pki, bool client_certificates)
      : ReceiverUnderTest(
            transport, {}, {},
            ReceiverTls{pki.server_cert, pki.server_key, client_certificates ? pki.ca_cert : ""}) {}
};

std::vector<FinishedSpan> OneSpan(int id) {
  opentelemetry::proto::trace::v1::Span s;
  s.set_trace_id(testing::TraceIdBytes(id));
  s.set_span_id(testing::SpanIdBytes(id));
  s.set_name("GET /cart");
  s.set_start_time_unix_nano(1'000'000);
  s.set_end_time_unix_nano(2'000'000);
  FinishedSpan f;
  f.context.trace_id = TraceId::FromBytes(testing::TraceIdBytes(id));
  f.context.span_id = SpanId::FromBytes(testing::SpanIdBytes(id));
  f.context.trace_flags = 1;
  f.encoded = s.SerializeAsString();
  return {f};
}

OtlpExporterOptions TlsOptions(std::uint16_t port, ClientTls tls) {
  OtlpExporterOptions o;
  o.endpoint = "127.0.0.1:" + std::to_string(port);
  o.tls = std::move(tls);
  o.timeout = 4s;
  o.max_attempts = 3;
  o.initial_backoff = 10ms;
  o.max_backoff = 50ms;
  return o;
}

std::unique_ptr<OtlpExporter> Make(Transport t, const OtlpExporterOptions& o) {
  return t == Transport::kHttp ? MakeOtlpHttpExporter(o) : MakeOtlpGrpcExporter(o);
}

class OtlpTls : public ::testing::TestWithParam<Transport> {
 protected:
  static void SetUpTestSuite() { pki_ = new TestPki(MakeTestPki()); }
  static void TearDownTestSuite() { delete pki_; }
  static const TestPki& pki() { return *pki_; }

 private:
  static TestPki* pki_;
};
TestPki* OtlpTls::pki_ = nullptr;

TEST_P(OtlpTls, AnExporterThatTrustsTheSinksCaDelivers) {
  TlsSink sink(GetParam(), pki(), false);
  auto exporter = Make(GetParam(), TlsOptions(sink.port(), {pki().ca_cert, "", "", ""}));
  for (int id : {1, 2}) {  // the second over the same connection
    const ExportResult r = exporter->Export(OneSpan(id));
    EXPECT_EQ(r.kind, ExportResult::Kind::kSuccess) << r.message;
  }
  EXPECT_EQ(sink.counters().spans_accepted.load(), 2u);
}

TEST_P(OtlpTls, TheServersOwnCertificateAsTheOnlyTrustedOneIsPinned) {
  TlsSink sink(GetParam(), pki(), false);
  auto exporter = Make(GetParam(), TlsOptions(sink.port(), {pki().server_cert, "", "", ""}));
  const ExportResult r = exporter->Export(OneSpan(1));
  EXPECT_EQ(r.kind, ExportResult::Kind::kSuccess) << r.message;
  // Pinning one leaf trusts no other: the client certificate the same CA signed is no anchor.
  auto other = Make(GetParam(), TlsOptions(sink.port(), {pki().client_cert, "", "", ""}));
  EXPECT_NE(other->Export(OneSpan(2)).kind, ExportResult::Kind::kSuccess);
  EXPECT_EQ(sink.counters().spans_accepted.load(), 1u);
}

TEST_P(OtlpTls, AServerNameOverrideIsWhatTheCertificateMustName) {
  TlsSink sink(GetParam(), pki(), false);
  auto named = Make(GetParam(), TlsOptions(sink.port(), {pki().ca_cert, "", "", "localhost"}));
  EXPECT_EQ(named->Export(OneSpan(1)).kind, ExportResult::Kind::kSuccess);
  auto wrong =
      Make(GetParam(), TlsOptions(sink.port(), {pki().ca_cert, "", "", "elsewhere.example"}));
  const ExportResult r = wrong->Export(OneSpan(2));
  EXPECT_NE(r.kind, ExportResult::Kind::kSuccess);
  EXPECT_EQ(sink.counters().spans_accepted.load(), 1u);
}

TEST_P(OtlpTls, AnExporterThatTrustsAnotherCaIsRefusedAndSendsNothing) {
  TlsSink sink(GetParam(), pki(), false);
  const TestPki other = MakeTestPki();
  auto exporter = Make(GetParam(), TlsOptions(sink.port(), {other.ca_cert, "", "", ""}));
  const ExportResult r = exporter->Export(OneSpan(1));
  EXPECT_NE(r.kind, ExportResult::Kind::kSuccess);
  EXPECT_EQ(sink.counters().spans_accepted.load(), 0u);
  if (GetParam() == Transport::kHttp) {
    // Ours: a certificate that is not trusted now will not be on a retry.
    EXPECT_EQ(r.kind, ExportResult::Kind::kFailed);
    EXPECT_EQ(exporter->counters().attempts.load(), 1u);
    EXPECT_NE(r.message.find("TLS handshake"), std::string::npos) << r.message;
  }
}

TEST_P(OtlpTls, MutualTlsNeedsTheClientCertificate) {
  TlsSink sink(GetParam(), pki(), true);
  auto without = Make(GetParam(), TlsOptions(sink.port(), {pki().ca_cert, "", "", ""}));
  EXPECT_NE(without->Export(OneSpan(1)).kind, ExportResult::Kind::kSuccess);
  EXPECT_EQ(sink.counters().spans_accepted.load(), 0u);
  auto with =
      Make(GetParam(),
           TlsOptions(sink.port(), {pki().ca_cert, pki().client_cert, pki().client_key, ""}));
  const ExportResult r = with->Export(OneSpan(2));
  EXPECT_EQ(r.kind, ExportResult::Kind::kSuccess) << r.message;
  EXPECT_EQ(sink.counters().spans_accepted.load(), 1u);
}

TEST_P(OtlpTls, PlainTextToATlsPortIsNotDelivered) {
  TlsSink sink(GetParam(), pki(), false);
  OtlpExporterOptions o = TlsOptions(sink.port(), {});
  o.tls.reset();
  o.max_attempts = 1;
  EXPECT_NE(Make(GetParam(), o)->Export(OneSpan(1)).kind, ExportResult::Kind::kSuccess);
  EXPECT_EQ(sink.counters().spans_accepted.load(), 0u);
}

TEST_P(OtlpTls, SpanLoadSendsOverTlsAndCountsAnUntrustedServerAsConnectErrors) {
  TlsSink sink(GetParam(), pki(), false);
  SpanSenderOptions o;
  o.protocol = GetParam() == Transport::kGrpc ? OtlpProtocol::kGrpc : OtlpProtocol::kHttpProtobuf;
  o.port = sink.port();
  o.connections = 1;
  o.seconds = 0.3;
  o.batch.spans = 5;
  o.tls = ClientTls{pki().ca_cert, "", "", ""};
  const SpanSenderStats ok = RunSpanSender(o);
  EXPECT_GT(ok.requests_ok, 0u);
  EXPECT_EQ(ok.connect_errors + ok.io_errors + ok.status_errors, 0u);
  EXPECT_EQ(sink.counters().spans_accepted.load(), ok.spans_ok);

  o.tls = ClientTls{MakeTestPki().ca_cert, "", "", ""};
  const SpanSenderStats refused = RunSpanSender(o);
  EXPECT_EQ(refused.requests_ok, 0u);
  EXPECT_GT(refused.connect_errors + refused.status_errors, 0u);
  EXPECT_EQ(sink.counters().spans_accepted.load(), ok.spans_ok);
}

// The sink closes a kept-alive connection once it has been idle past its limit; the next export
// goes out again on a new connection at once, within the same attempt, not as a retry.
TEST(OtlpHttpTls, AConnectionTheSinkClosedWhileIdleIsReplacedWithoutARetry) {
  const TestPki pki = MakeTestPki();
  ReceiverLimits limits;
  limits.idle_timeout = std::chrono::seconds(1);
  ReceiverUnderTest sink(Transport::kHttp, {}, limits,
                         ReceiverTls{pki.server_cert, pki.server_key, ""});
  auto exporter = MakeOtlpHttpExporter(TlsOptions(sink.port(), {pki.ca_cert, "", "", ""}));
  EXPECT_EQ(exporter->Export(OneSpan(1)).kind, ExportResult::Kind::kSuccess);
  std::this_thread::sleep_for(1500ms);
  const ExportResult r = exporter->Export(OneSpan(2));
  EXPECT_EQ(r.kind, ExportResult::Kind::kSuccess) << r.message;
  EXPECT_EQ(exporter->counters().attempts.load(), 2u);
  EXPECT_EQ(exporter->counters().retries.load(), 0u);
  EXPECT_EQ(sink.counters().spans_accepted.load(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Transports, OtlpTls, ::testing::Values(Transport::kHttp, Transport::kGrpc),
                         [](const auto& info) {
                           return info.param == Transport::kHttp ? "Http" : "Grpc";
                         });

TEST(ClientTls, MakesNoContextFromAnUnreadableCa) {
  std::string error;
  EXPECT_EQ(MakeClientTlsContext({"not a certificate", "", "", ""}, error), nullptr);
  EXPECT_NE(error.find("TLS CA certificate"), std::string::npos) << error;
}

TEST(ClientTls, AClientKeyThatDoesNotMatchItsCertificateIsAnError) {
  const TestPki a = MakeTestPki(), b = MakeTestPki();
  std::string error;
  EXPECT_EQ(MakeClientTlsContext({a.ca_cert, a.client_cert, b.client_key, ""}, error), nullptr);
  EXPECT_NE(error.find("TLS client key"), std::string::npos) << error;
}

TEST(ClientTls, ACertificateWithoutItsKeyNamesBothSettings) {
  std::string error;
  EXPECT_FALSE(ReadClientTls("", "/tmp/cert.pem", "", "CA", "CERT", "KEY", error));
  EXPECT_NE(error.find("CERT is set without KEY"), std::string::npos) << error;
  EXPECT_FALSE(ReadClientTls("/nonexistent/ca.pem", "", "", "CA", "CERT", "KEY", error));
  EXPECT_NE(error.find("CA '/nonexistent/ca.pem'"), std::string::npos) << error;
}

}  // namespace
}  // namespace traceproof
