// ExternalServices against a real admin endpoint on loopback: the run's view of services that
// `traceproof serve --admin-port` runs in another process.
#include "run/external_services.h"

#include <gtest/gtest.h>

#include <thread>

#include "mock_services/admin_server.h"
#include "truth/truth_log.h"

namespace traceproof {
namespace {

GroundTruthSpan Span(std::uint64_t request) {
  GroundTruthSpan s;
  s.request_id = request;
  s.trace_id = *TraceId::FromHex("0102030405060708090a0b0c0d0e0f10");
  s.span_id = *SpanId::FromHex("000000000000000" + std::to_string(request % 10));
  s.service = "gateway";
  s.name = "POST /checkout";
  s.kind = SpanKind::kServer;
  return s;
}

class ExternalServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mock::AdminSources sources;
    sources.truth = &log_;
    sources.stats = [this] {
      mock::AdminStats a;
      a.now_unix_ns = TruthLog::NowUnixNs();
      a.ports = {{"gateway", 8080}};
      a.services = stats_;
      return a;
    };
    std::string error;
    admin_ = mock::StartAdminServer({"127.0.0.1", 0}, sources, error);
    ASSERT_TRUE(admin_) << error;
    spec_.admin = {"localhost", admin_->port()};  // a name, resolved like a Compose host
    spec_.endpoints["gateway"] = {"localhost", 8080};
    spec_.ready_timeout = std::chrono::milliseconds(2000);
  }

  TruthLog log_;
  mock::MockServicesStats stats_;  // written before the server reads it in each test
  std::unique_ptr<mock::AdminServer> admin_;
  ExternalServicesSpec spec_;
};

TEST_F(ExternalServicesTest, TheRunSeesOnlyItsOwnWindowAndCounterDifferences) {
  log_.Record(Span(1));  // an earlier run's
  stats_.requests = 100;
  stats_.spans_exported = 600;
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ExternalServices ext(spec_);
  std::string error;
  ASSERT_TRUE(ext.Connect(error)) << error;
  EXPECT_EQ(ext.address("gateway"), "127.0.0.1");
  EXPECT_EQ(ext.port("gateway"), 8080);

  log_.Record(Span(2));
  log_.Record(Span(3));
  stats_.requests = 102;
  stats_.spans_exported = 612;
  stats_.spans_pending = 4;
  const auto truth = ext.TruthSinceStart(error);
  ASSERT_TRUE(truth) << error;
  ASSERT_EQ(truth->size(), 2u);
  EXPECT_EQ((*truth)[0].request_id, 2u);
  const auto st = ext.StatsSinceStart(error);
  ASSERT_TRUE(st) << error;
  EXPECT_EQ(st->requests, 2u);
  EXPECT_EQ(st->spans_exported, 12u);
  EXPECT_EQ(st->spans_pending, 4u);  // a gauge: as it is now
}

TEST_F(ExternalServicesTest, AnEndpointForAServiceServeDoesNotRunIsAnError) {
  spec_.endpoints["orderz"] = {"127.0.0.1", 8082};
  ExternalServices ext(spec_);
  std::string error;
  EXPECT_FALSE(ext.Connect(error));
  EXPECT_NE(error.find("orderz"), std::string::npos) << error;
}

TEST_F(ExternalServicesTest, AnAdminEndpointThatNeverAnswersFailsWithinTheTimeout) {
  const std::uint16_t port = admin_->port();
  admin_->Stop();
  spec_.admin = {"127.0.0.1", port};
  spec_.ready_timeout = std::chrono::milliseconds(600);
  ExternalServices ext(spec_);
  std::string error;
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_FALSE(ext.Connect(error));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
  EXPECT_NE(error.find("did not answer within 600 ms"), std::string::npos) << error;
}

TEST(SubtractStats, ACounterThatWentBackMeansServeRestarted) {
  mock::MockServicesStats before, now;
  before.requests = 50;
  now.requests = 7;
  EXPECT_EQ(SubtractStats(now, before).requests, 7u);
}

}  // namespace
}  // namespace traceproof
