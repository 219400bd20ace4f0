#include "receiver/http_receiver.h"

// clang-format off: this must come before Boost's headers.
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <thread>
#include <type_traits>
#include <vector>

#include "receiver/http_handler.h"

namespace traceproof {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

struct Shared {
  SpanConsumer& consumer;
  IngestCounters& counters;
  ReceiverLimits limits;
  ssl::context* tls = nullptr;       // the receiver's; null: plain HTTP
  std::atomic<std::size_t> open{0};  // sessions alive (the connection cap)
};

// Counts a session as open for as long as it lives.
class OpenConnection {
 public:
  explicit OpenConnection(std::atomic<std::size_t>& open) : open_(open) {
    open_.fetch_add(1, std::memory_order_relaxed);
  }
  ~OpenConnection() { open_.fetch_sub(1, std::memory_order_relaxed); }
  OpenConnection(const OpenConnection&) = delete;
  OpenConnection& operator=(const OpenConnection&) = delete;

 private:
  std::atomic<std::size_t>& open_;
};

constexpr std::size_t kReadChunk = 64 * 1024;
// A client gets this long to finish its TLS handshake.
constexpr std::chrono::seconds kHandshakeTimeout{10};

// One connection, plain (kTls false) or TLS, which handshakes before its first read.
template <bool kTls>
class Session : public std::enable_shared_from_this<Session<kTls>> {
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

 public:
  // `stream_args`: the socket, and for TLS the context.
  template <typename... StreamArgs>
  explicit Session(Shared& shared, StreamArgs&&... stream_args)
      : stream_(std::forward<StreamArgs>(stream_args)...), shared_(shared), open_(shared.open) {
    // Beast reads at most what the buffer can already hold (at least 512 bytes), and a
    // flat_buffer only grows when asked for more: left alone, a 100 KB export took ~200 reads.
    // perf on `bench ingest`: recvmsg was 27 % of the receiver's CPU.
    buffer_.reserve(kReadChunk);
  }

  void Run() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->Handshake();
      } else {
        self->Read();
      }
    });
  }

 private:
  void Handshake() {
    beast::get_lowest_layer(stream_).expires_after(kHandshakeTimeout);
    stream_.async_handshake(
        ssl::stream_base::server,
        [self = this->shared_from_this()](beast::error_code ec) { self->OnHandshake(ec); });
  }

  void OnHandshake(beast::error_code ec) {
    if (!ec) return Read();
    // A peer that connected and left without a byte (a port probe) is not a refusal; plain
    // text, an old protocol version or a missing or untrusted client certificate is.
    if (ec != asio::error::eof && ec != asio::error::connection_reset) {
      shared_.counters.requests.fetch_add(1, std::memory_order_relaxed);
      shared_.counters.RefuseRequest(RefusalReason::kTlsHandshake);
    }
    if (ec.category() == asio::error::get_ssl_category() &&
        ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_HTTP_REQUEST) {
      return RefusePlainHttp();
    }
    Close();
  }

  // Plain HTTP on the TLS port: said in plain HTTP, so curl or an SDK shows why rather than
  // "connection reset".
  void RefusePlainHttp() {
    static const std::string kAnswer =
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Connection: close\r\nContent-Length: 47\r\n\r\n"
        "this port speaks TLS: use https:// to reach it\n";
    asio::async_write(
        beast::get_lowest_layer(stream_), asio::buffer(kAnswer),
        [self = this->shared_from_this()](beast::error_code, std::size_t) { self->Close(); });
  }

  void Read() {
    parser_.emplace();
    // A gzip body may not exceed the decompressed limit either; the handler checks the rest.
    parser_->body_limit(shared_.limits.max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(shared_.limits.idle_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
        ec == ssl::error::stream_truncated) {
      return Close();
    }
    if (ec == http::error::body_limit) {
      shared_.counters.requests.fetch_add(1, std::memory_order_relaxed);
      shared_.counters.RefuseRequest(RefusalReason::kTooLarge);
      HttpResponse res{http::status::payload_too_large, 11};
      res.set(http::field::content_type, "text/plain; charset=utf-8");
      res.body() = "body exceeds " + std::to_string(shared_.limits.max_body_bytes) + " bytes\n";
      res.keep_alive(false);
      res.prepare_payload();
      return Write(std::move(res));
    }
    if (ec) {
      // Unparseable HTTP: answer 400 if the peer is still there, then drop the connection.
      shared_.counters.requests.fetch_add(1, std::memory_order_relaxed);
      shared_.counters.RefuseRequest(RefusalReason::kMalformed);
      HttpResponse res{http::status::bad_request, 11};
      res.set(http::field::content_type, "text/plain; charset=utf-8");
      res.body() = "bad HTTP request: " + ec.message() + "\n";
      res.keep_alive(false);
      res.prepare_payload();
      return Write(std::move(res));
    }
    Write(HandleOtlpHttp(parser_->release(), shared_.consumer, shared_.counters, shared_.limits));
  }

  void Write(HttpResponse res) {
    auto owned = std::make_shared<HttpResponse>(std::move(res));
    bool keep_alive = owned->keep_alive();
    http::async_write(
        stream_, *owned,
        [self = this->shared_from_this(), owned, keep_alive](beast::error_code ec, std::size_t) {
          if (ec || !keep_alive) return self->Close();
          self->Read();
        });
  }

  // Over TLS too without close_notify: every answer carries its length, so a client never
  // reads to the end of the stream to find where the body ends.
  void Close() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Shared& shared_;
  OpenConnection open_;
};

// Over the connection cap: said in plain HTTP (also on a TLS port: no handshake is spent on a
// connection that is closed anyway), then closed.
void RefuseOverCap(tcp::socket socket, IngestCounters& counters) {
  counters.requests.fetch_add(1, std::memory_order_relaxed);
  counters.RefuseRequest(RefusalReason::kTooManyConnections);
  static const std::string kAnswer =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Retry-After: 1\r\nConnection: close\r\nContent-Length: 47\r\n\r\n"
      "too many connections to this sink: retry later\n";
  auto owned = std::make_shared<tcp::socket>(std::move(socket));
  asio::async_write(*owned, asio::buffer(kAnswer), [owned](beast::error_code, std::size_t) {
    beast::error_code ignored;
    owned->shutdown(tcp::socket::shutdown_send, ignored);
  });
}

class BeastHttpReceiver final : public HttpReceiver {
 public:
  BeastHttpReceiver(const HttpReceiverOptions& options, SpanConsumer& consumer,
                    IngestCounters& counters)
      : options_(options), shared_{consumer, counters, options.limits, nullptr}, acceptor_(ioc_) {}

  ~BeastHttpReceiver() override { Stop(); }

  bool Bind(std::string& error) {
    if (options_.tls) {
      tls_ = MakeServerTlsContext(*options_.tls, error);
      if (!tls_) return false;
      shared_.tls = tls_.get();
    }
    beast::error_code ec;
    auto address = asio::ip::make_address(options_.host, ec);
    if (ec) {
      error = "invalid HTTP listen address '" + options_.host + "': " + ec.message();
      return false;
    }
    tcp::endpoint endpoint{address, options_.port};
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      error = "cannot listen for OTLP/HTTP on " + options_.host + ":" +
              std::to_string(options_.port) + ": " + ec.message();
      return false;
    }
    port_ = acceptor_.local_endpoint().port();
    Accept();
    for (int i = 0; i < std::max(1, options_.threads); ++i)
      threads_.emplace_back([this] { ioc_.run(); });
    return true;
  }

  std::uint16_t port() const override { return port_; }

  void Stop() override {
    if (stopped_.exchange(true)) return;
    ioc_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    // Closed here, with no thread left to race: a close posted to the stopping io_context may
    // never run, which left the port accepting connections until the receiver was destroyed.
    beast::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  void Accept() {
    acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec && shared_.open.load(std::memory_order_relaxed) >= shared_.limits.max_connections) {
        RefuseOverCap(std::move(s), shared_.counters);
      } else if (!ec && shared_.tls) {
        std::make_shared<Session<true>>(shared_, std::move(s), *shared_.tls)->Run();
      } else if (!ec) {
        std::make_shared<Session<false>>(shared_, std::move(s))->Run();
      }
      Accept();
    });
  }

  HttpReceiverOptions options_;
  std::unique_ptr<ssl::context> tls_;  // before shared_, which points at it
  Shared shared_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
};

}  // namespace

std::unique_ptr<HttpReceiver> StartHttpReceiver(const HttpReceiverOptions& options,
                                                SpanConsumer& consumer, IngestCounters& counters,
                                                std::string& error) {
  auto receiver = std::make_unique<BeastHttpReceiver>(options, consumer, counters);
  if (!receiver->Bind(error)) return nullptr;
  return receiver;
}

}  // namespace traceproof
