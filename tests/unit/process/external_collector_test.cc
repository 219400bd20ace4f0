// ExternalCollector against a stand-in Prometheus endpoint on 127.0.0.1:0: Start waits until
// the metrics answer and takes the baseline, Scrape counts from it, Stop leaves the Collector
// alone, and metrics that never answer are an error naming the URL within the ready timeout.
#include "process/external_collector.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <thread>

#include "conformance.h"
#include "loopback_listener.h"

namespace traceproof {
namespace {

using std::chrono::milliseconds;

// Answers every GET with 200 and the body `body()` returns at that moment.
class MetricsServer {
 public:
  explicit MetricsServer(std::function<std::string()> body) : body_(std::move(body)) {
    fd_ = ListenOnLoopback(port_);
    thread_ = std::thread([this] { Serve(); });
  }
  ~MetricsServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
  }
  int port() const { return port_; }
  int requests() const { return requests_; }

 private:
  void Serve() {
    while (!stop_) {
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      (void)!read(c, buf, sizeof buf);
      ++requests_;
      const std::string response = "HTTP/1.0 200 OK\r\n\r\n" + body_();
      (void)!write(c, response.data(), response.size());
      close(c);
    }
  }

  std::function<std::string()> body_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

std::string Scrape(int accepted, int sent, int queue) {
  return "otelcol_receiver_accepted_spans{receiver=\"otlp\",transport=\"grpc\"} " +
         std::to_string(accepted) + "\notelcol_exporter_sent_spans{exporter=\"otlp\"} " +
         std::to_string(sent) + "\notelcol_exporter_queue_size{exporter=\"otlp\"} " +
         std::to_string(queue) + "\n";
}

ExternalCollectorOptions Options(int port) {
  ExternalCollectorOptions o;
  o.metrics_host = "127.0.0.1";
  o.metrics_port = port;
  o.metrics_path = "/metrics";
  return o;
}

TEST(ExternalCollector, CountsFromTheBaselineTakenAtStart) {
  std::atomic<int> accepted{1000};
  MetricsServer server([&] { return Scrape(accepted, accepted - 10, 3); });
  ExternalCollector c(Options(server.port()));
  ASSERT_TRUE(c.Start(milliseconds(2000)).ok());
  EXPECT_EQ(c.baseline().receiver_accepted_spans, 1000u);
  accepted = 1500;
  const CollectorCounters during = c.Scrape();
  EXPECT_TRUE(during.scraped);
  EXPECT_EQ(during.receiver_accepted_spans, 500u);
  EXPECT_EQ(during.exporter_sent_spans, 500u);
  EXPECT_EQ(during.exporter_queue_size, 3u);  // a gauge: as it is now
  const int before_stop = server.requests();
  c.Stop(milliseconds(1000));  // not ours: nothing happens to it
  EXPECT_EQ(server.requests(), before_stop);
  EXPECT_TRUE(c.Scrape().scraped);
}

TEST(ExternalCollector, IsAProcessUnderTestThatCostsNothing) {
  MetricsServer server([] { return Scrape(1, 1, 0); });
  ExternalCollector c(Options(server.port()));
  EXPECT_EQ(c.Name(), "collector");
  ASSERT_TRUE(c.Start(milliseconds(2000)).ok());
  EXPECT_EQ(c.Metrics().cpu_seconds, 0);
  EXPECT_EQ(c.Metrics().wall_seconds, 0);
  EXPECT_TRUE(c.LogPath().empty());
}

TEST(ExternalCollector, MetricsThatNeverAnswerAreAnErrorAfterTheReadyTimeout) {
  int port = 0;
  {
    MetricsServer gone([] { return std::string(); });
    port = gone.port();
  }  // now refused
  ExternalCollector c(Options(port));
  const auto begin = std::chrono::steady_clock::now();
  ExpectAFailedStartSaysWhy(
      c, milliseconds(600),
      "the external Collector's metrics http://127.0.0.1:" + std::to_string(port) +
          "/metrics did not answer within 600 ms: " + "connect 127.0.0.1:" + std::to_string(port));
  const auto took = std::chrono::steady_clock::now() - begin;
  EXPECT_GE(took, milliseconds(500)) << "it gave up before the ready timeout";
  EXPECT_LT(took, milliseconds(3000));
}

TEST(ExternalCollector, AScrapeThatFailsIsNotScraped) {
  int port = 0;
  std::optional<ExternalCollector> c;
  {
    MetricsServer server([] { return Scrape(5, 5, 0); });
    port = server.port();
    c.emplace(Options(port));
    ASSERT_TRUE(c->Start(milliseconds(2000)).ok());
  }
  EXPECT_FALSE(c->Scrape().scraped);  // the endpoint is gone
}

}  // namespace
}  // namespace traceproof
