#include "receiver/http_receiver.h"

// clang-format off: this must come before Boost's headers.
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>
#include <vector>

#include "receiver/http_handler.h"

namespace traceproof {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct Shared {
  SpanConsumer& consumer;
  IngestCounters& counters;
  ReceiverLimits limits;
};

constexpr std::size_t kReadChunk = 64 * 1024;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Shared& shared) : stream_(std::move(socket)), shared_(shared) {
    // Beast reads at most what the buffer can already hold (at least 512 bytes), and a
    // flat_buffer only grows when asked for more: left alone, a 100 KB export took ~200 reads.
    // perf on `bench ingest`: recvmsg was 27 % of the receiver's CPU.
    buffer_.reserve(kReadChunk);
  }

  void Run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

 private:
  void Read() {
    parser_.emplace();
    // A gzip body may not exceed the decompressed limit either; the handler checks the rest.
    parser_->body_limit(shared_.limits.max_body_bytes);
    stream_.expires_after(shared_.limits.idle_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
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
        [self = shared_from_this(), owned, keep_alive](beast::error_code ec, std::size_t) {
          if (ec || !keep_alive) return self->Close();
          self->Read();
        });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const Shared& shared_;
};

class BeastHttpReceiver final : public HttpReceiver {
 public:
  BeastHttpReceiver(const HttpReceiverOptions& options, SpanConsumer& consumer,
                    IngestCounters& counters)
      : options_(options), shared_{consumer, counters, options.limits}, acceptor_(ioc_) {}

  ~BeastHttpReceiver() override { Stop(); }

  bool Bind(std::string& error) {
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
      if (!ec) std::make_shared<Session>(std::move(s), shared_)->Run();
      Accept();
    });
  }

  HttpReceiverOptions options_;
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
