// HttpGet against a one-shot server on 127.0.0.1:0: the body of a 200, the status of anything
// else, and a server that never answers bounded by the timeout.
#include "process/http_get.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "loopback_listener.h"

namespace traceproof {
namespace {

using std::chrono::milliseconds;

// Accepts one connection, reads the request, answers `response` (or nothing, holding the
// connection until `hold` has passed), closes.
class OneShotServer {
 public:
  OneShotServer(std::string response, milliseconds hold = milliseconds(0)) {
    fd_ = ListenOnLoopback(port_, 1);
    thread_ = std::thread([this, response = std::move(response), hold] {
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      request_.assign(buf,
                      static_cast<std::size_t>(std::max<ssize_t>(0, read(c, buf, sizeof buf))));
      std::this_thread::sleep_for(hold);
      if (!response.empty()) (void)!write(c, response.data(), response.size());
      close(c);
    });
  }
  ~OneShotServer() {
    Join();
    close(fd_);
  }
  int port() const { return port_; }
  // What the client sent, once the exchange is over.
  std::string TakeRequest() {
    Join();
    return request_;
  }

 private:
  void Join() {
    if (!thread_.joinable()) return;
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
  }

  int fd_ = -1;
  int port_ = 0;
  std::string request_;
  std::thread thread_;
};

TEST(HttpGet, ReturnsTheBodyOfA200AndSendsTheHostAndPath) {
  OneShotServer server("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nmetric 1\n");
  std::string error;
  const auto body = HttpGet("127.0.0.1", server.port(), "/metrics", milliseconds(2000), error);
  ASSERT_TRUE(body) << error;
  EXPECT_EQ(*body, "metric 1\n");
  const std::string request = server.TakeRequest();
  EXPECT_TRUE(request.starts_with("GET /metrics HTTP/1.0\r\n")) << request;
  EXPECT_NE(request.find("Host: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"),
            std::string::npos)
      << request;
}

TEST(HttpGet, AnotherStatusIsAnErrorNamingItAndTheUrl) {
  OneShotServer server("HTTP/1.1 503 Service Unavailable\r\n\r\nbusy");
  std::string error;
  EXPECT_FALSE(HttpGet("127.0.0.1", server.port(), "/stats", milliseconds(2000), error));
  EXPECT_EQ(error, "GET http://127.0.0.1:" + std::to_string(server.port()) +
                       "/stats: HTTP 503 Service Unavailable");
}

TEST(HttpGet, AServerThatNeverAnswersIsBoundedByTheTimeout) {
  OneShotServer server("", milliseconds(1500));
  std::string error;
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_FALSE(HttpGet("127.0.0.1", server.port(), "/", milliseconds(300), error));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, milliseconds(1200));
  EXPECT_NE(error.find("timed out"), std::string::npos) << error;
}

TEST(HttpGet, AnUnresolvableHostIsAnErrorNamingIt) {
  std::string error;
  EXPECT_FALSE(HttpGet("no-such-host.invalid", 80, "/", milliseconds(2000), error));
  EXPECT_NE(error.find("no-such-host.invalid"), std::string::npos) << error;
}

}  // namespace
}  // namespace traceproof
