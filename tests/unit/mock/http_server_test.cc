// The HTTP server and its sessions on loopback (port 0), with a handler that needs no services:
// keep-alive, the handler's outcome on the wire, an abortive reset, the body limit.
#include "mock_services/http_server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <string>

namespace traceproof::mock {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// Answers with the target it was asked for; "/reset" resets the connection.
class EchoHandler final : public RequestHandler {
 public:
  asio::awaitable<Outcome> Handle(const HttpRequest& request) override {
    ++requests_;
    const std::string target(request.target());
    if (target == "/reset") co_return Outcome{0, {}, true};
    co_return Outcome{201, "{\"target\":\"" + target + "\"}", false};
  }
  int requests() const { return requests_.load(); }

 private:
  std::atomic<int> requests_{0};
};

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(HttpServerOptions options = {}) {
    std::string error;
    server_ = HttpServer::Listen(options, pool_, handler_, error);
    ASSERT_TRUE(server_) << error;
    server_->Start();
    pool_.Run();
  }
  void TearDown() override {
    pool_.Stop();
    server_.reset();
    pool_.Destroy();
  }

  // One client connection, kept alive across requests.
  struct Client {
    asio::io_context ioc;
    beast::tcp_stream stream{ioc};
    beast::flat_buffer buffer;
    beast::error_code Send(const std::string& target, http::response<http::string_body>& res,
                           std::string body = "") {
      http::request<http::string_body> req{http::verb::post, target, 11};
      req.set(http::field::host, "test");
      req.body() = std::move(body);
      req.prepare_payload();
      beast::error_code ec;
      stream.expires_after(std::chrono::seconds(10));
      http::write(stream, req, ec);
      if (!ec) http::read(stream, buffer, res, ec);
      return ec;
    }
  };
  std::unique_ptr<Client> Connect() {
    auto c = std::make_unique<Client>();
    c->stream.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    return c;
  }

  IoContextPool pool_{2};
  EchoHandler handler_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, AnswersWithTheHandlersOutcomeOnAKeptAliveConnection) {
  Start();
  ASSERT_NE(server_->port(), 0) << "port 0 picks a free port and reports it";
  auto client = Connect();
  for (const std::string target : {"/a", "/b"}) {
    http::response<http::string_body> res;
    ASSERT_FALSE(client->Send(target, res));
    EXPECT_EQ(res.result_int(), 201u);
    EXPECT_EQ(res.body(), "{\"target\":\"" + target + "\"}");
    EXPECT_EQ(res[http::field::content_type], "application/json");
    EXPECT_TRUE(res.keep_alive());
  }
  EXPECT_EQ(handler_.requests(), 2);
}

TEST_F(HttpServerTest, AResetOutcomeClosesTheConnectionWithoutAnAnswer) {
  Start();
  auto client = Connect();
  http::response<http::string_body> res;
  const beast::error_code ec = client->Send("/reset", res);
  EXPECT_TRUE(ec == asio::error::connection_reset || ec == http::error::end_of_stream ||
              ec == asio::error::eof)
      << ec.message();
}

TEST_F(HttpServerTest, ABodyOverTheLimitIsNeverHandled) {
  HttpServerOptions options;
  options.body_limit_bytes = 16;
  Start(options);
  auto client = Connect();
  http::response<http::string_body> res;
  EXPECT_TRUE(client->Send("/big", res, std::string(64, 'x')));
  EXPECT_EQ(handler_.requests(), 0);
  auto again = Connect();
  http::response<http::string_body> small;
  ASSERT_FALSE(again->Send("/small", small, std::string(16, 'x')));
  EXPECT_EQ(small.result_int(), 201u);
}

TEST_F(HttpServerTest, ATakenPortIsAnErrorThatNamesIt) {
  Start();
  HttpServerOptions options;
  options.port = server_->port();
  std::string error;
  EXPECT_EQ(HttpServer::Listen(options, pool_, handler_, error), nullptr);
  EXPECT_NE(error.find("cannot listen on 127.0.0.1:" + std::to_string(server_->port())),
            std::string::npos)
      << error;
}

}  // namespace
}  // namespace traceproof::mock
