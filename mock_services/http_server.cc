#include "mock_services/http_server.h"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace traceproof::mock {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

// One connection: its stream and read buffer, requests read and answered one after another.
class HttpSession {
 public:
  HttpSession(tcp::socket socket, RequestHandler& handler, const HttpServerOptions& options)
      : stream_(std::move(socket)), handler_(handler), options_(options) {}

  // Requests one after another until the connection is closed, times out, is reset, or is not
  // kept alive. One coroutine for the whole connection: no frame per request.
  static awaitable<void> Run(std::unique_ptr<HttpSession> self) {
    HttpSession& s = *self;
    for (;;) {
      // A parser per request, as Beast requires; the limit is set where the request is read.
      std::optional<http::request_parser<http::string_body>> parser;
      parser.emplace();
      parser->body_limit(s.options_.body_limit_bytes);
      s.stream_.expires_after(s.options_.read_timeout);
      beast::error_code ec;
      co_await http::async_read(s.stream_, s.buffer_, *parser,
                                asio::redirect_error(use_awaitable, ec));
      if (ec) break;
      s.stream_.expires_never();
      const HttpRequest& req = parser->get();
      Outcome out = co_await s.handler_.Handle(req);
      if (out.reset) {
        s.Reset();
        co_return;
      }
      http::response<http::string_body> res = Response(req, std::move(out));
      s.stream_.expires_after(s.options_.write_timeout);
      co_await http::async_write(s.stream_, res, asio::redirect_error(use_awaitable, ec));
      if (ec || !res.keep_alive()) break;
    }
    beast::error_code ignored;
    s.stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

 private:
  static http::response<http::string_body> Response(const HttpRequest& req, Outcome out) {
    http::response<http::string_body> res{static_cast<http::status>(out.status), req.version()};
    res.set(http::field::content_type, "application/json");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(out.body);
    res.prepare_payload();
    return res;
  }

  // An abortive close (RST), as a crashed or killed server would leave it.
  void Reset() {
    beast::error_code ec;
    stream_.socket().set_option(asio::socket_base::linger(true, 0), ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  RequestHandler& handler_;
  const HttpServerOptions options_;  // a copy: a parked session may outlive its server
};

}  // namespace

HttpServer::HttpServer(const HttpServerOptions& options, IoContextPool& pool,
                       RequestHandler& handler)
    : options_(options), pool_(pool), handler_(handler), acceptor_(pool.Home()) {}

HttpServer::~HttpServer() {
  beast::error_code ignored;
  acceptor_.close(ignored);
}

std::unique_ptr<HttpServer> HttpServer::Listen(const HttpServerOptions& options,
                                               IoContextPool& pool, RequestHandler& handler,
                                               std::string& error) {
  std::unique_ptr<HttpServer> server(new HttpServer(options, pool, handler));
  tcp::acceptor& acceptor = server->acceptor_;
  beast::error_code ec;
  const tcp::endpoint ep{asio::ip::make_address(options.host, ec), options.port};
  if (!ec) acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = fmt::format("cannot listen on {}:{}: {}", options.host, options.port, ec.message());
    return nullptr;
  }
  server->port_ = acceptor.local_endpoint().port();
  return server;
}

void HttpServer::Start() { asio::co_spawn(pool_.Home(), Accept(), asio::detached); }

void HttpServer::Close() {
  asio::post(pool_.Home(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
}

awaitable<void> HttpServer::Accept() {
  for (;;) {
    beast::error_code ec;
    // Connections are dealt round-robin to the threads' contexts; the load generator's
    // keep-alive pool spreads requests over them.
    tcp::socket socket =
        co_await acceptor_.async_accept(pool_.Next(), asio::redirect_error(use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) continue;
    socket.set_option(tcp::no_delay(true), ec);
    auto executor = socket.get_executor();
    asio::co_spawn(
        executor,
        HttpSession::Run(std::make_unique<HttpSession>(std::move(socket), handler_, options_)),
        asio::detached);
  }
}

}  // namespace traceproof::mock
