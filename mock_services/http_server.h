// The mock services' HTTP/1.1 server, in the shape of Boost.Beast's async server example: a
// listener accepts and deals each connection to the next service thread's io_context; one
// session per connection owns its socket and read buffer, reads each request under its timeout
// and body limit, asks the RequestHandler for an Outcome and writes it, or resets the
// connection as a crashed server would. The handler never sees a socket, so it is tested
// without one (route_handler.h).
// HttpServer: Listen, Start and the destructor from the owning thread, Close from any thread;
// accepting runs on the pool's home context, each session on its connection's context.
#pragma once

// clang-format off: must come before any Boost.Asio header
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "mock_services/io_context_pool.h"

namespace traceproof::mock {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

// What the server does with a request.
struct Outcome {
  unsigned status = 200;
  std::string body;    // JSON
  bool reset = false;  // close the connection abortively (RST) instead of answering
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Runs on the connection's io_context and may suspend there (steps, calls, waits).
  virtual boost::asio::awaitable<Outcome> Handle(const HttpRequest& request) = 0;
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;                     // 0: any free port
  std::chrono::seconds read_timeout{60};      // for (the rest of) a request, idle time included
  std::chrono::seconds write_timeout{60};     // for a response
  std::uint64_t body_limit_bytes = 1u << 20;  // Beast's default for requests
};

class HttpServer {
 public:
  // Binds and listens; nullptr with `error` ("cannot listen on HOST:PORT: why") when it cannot.
  // `pool` and `handler` outlive the server.
  static std::unique_ptr<HttpServer> Listen(const HttpServerOptions& options, IoContextPool& pool,
                                            RequestHandler& handler, std::string& error);
  ~HttpServer();  // closes the acceptor: destroy before the pool's contexts

  std::uint16_t port() const { return port_; }
  void Start();  // accepts until Close
  void Close();  // stops accepting; sessions in progress go on

 private:
  HttpServer(const HttpServerOptions& options, IoContextPool& pool, RequestHandler& handler);
  boost::asio::awaitable<void> Accept();

  const HttpServerOptions options_;
  IoContextPool& pool_;
  RequestHandler& handler_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
};

}  // namespace traceproof::mock
