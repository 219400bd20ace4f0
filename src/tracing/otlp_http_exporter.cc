#include "tracing/otlp_http_exporter.h"

// clang-format off: this must come before Boost's headers.
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "otlp/gzip.h"
#include "tracing/client_tls.h"
#include "tracing/export_request.h"

namespace traceproof {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = ExportRetrier::Clock;

constexpr std::size_t kMaxResponseBytes = 1 << 20;
constexpr std::size_t kMaxErrorInMessage = 256;

// "host:port" or "[v6]:port"; false when there is no port.
bool SplitEndpoint(const std::string& endpoint, std::string& host, std::string& port) {
  const auto colon = endpoint.rfind(':');
  if (colon == std::string::npos || colon + 1 == endpoint.size()) return false;
  host = endpoint.substr(0, colon);
  port = endpoint.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return !host.empty();
}

// Retry-After as delay-seconds; an HTTP-date (rare from OTLP backends) is left to our backoff.
std::optional<std::chrono::milliseconds> RetryAfter(std::string_view value) {
  std::uint64_t seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || end != value.data() + value.size() || seconds == 0) return std::nullopt;
  return std::chrono::seconds(std::min<std::uint64_t>(seconds, 24 * 3600));
}

bool RetryableStatus(unsigned status) {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

// A kept-alive connection the server closed while it sat idle fails like this on first use.
// Over TLS the server's close without close_notify reads as a truncated stream.
bool StaleConnection(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == ssl::error::stream_truncated;
}

class OtlpHttpExporter final : public OtlpExporter {
 public:
  explicit OtlpHttpExporter(const OtlpExporterOptions& options)
      : options_(options), stream_(ioc_), resolver_(ioc_), retrier_(options, counters_) {
    endpoint_ok_ = SplitEndpoint(options.endpoint, host_, port_);
    if (options.tls) {
      tls_context_ = MakeClientTlsContext(*options.tls, tls_error_);
      if (!tls_context_) endpoint_ok_ = false;
    }
    request_.method(http::verb::post);
    request_.target(options.path);
    request_.version(11);
    request_.set(http::field::host, options.endpoint);
    request_.set(http::field::content_type, "application/x-protobuf");
    request_.set(http::field::user_agent, "traceproof-otlp-exporter");
    if (options.gzip) request_.set(http::field::content_encoding, "gzip");
    for (const auto& [name, value] : options.headers) request_.insert(name, value);
    request_.keep_alive(true);
  }

  ExportResult Export(const std::vector<FinishedSpan>& batch) noexcept override {
    if (batch.empty()) return {};
    try {
      if (!endpoint_ok_) {
        counters_.failed_exports.fetch_add(1, std::memory_order_relaxed);
        return Failed(tls_error_.empty()
                          ? "OTLP/HTTP endpoint '" + options_.endpoint + "' is not host:port"
                          : "OTLP/HTTP " + options_.endpoint + ": " + tls_error_);
      }
      // The body buffer is reused, so a steady stream of batches does not allocate here.
      request_.body().clear();
      if (options_.gzip) {
        raw_.clear();
        AppendExportRequest(options_.resource, batch, raw_);
        request_.body() = Gzip(raw_);
      } else {
        AppendExportRequest(options_.resource, batch, request_.body());
      }
      request_.prepare_payload();
      return retrier_.Run([this](Clock::time_point deadline) { return Attempt(deadline); });
    } catch (const std::exception& e) {
      Close();
      counters_.failed_exports.fetch_add(1, std::memory_order_relaxed);
      return Failed(std::string("OTLP/HTTP export: ") + e.what());
    }
  }

  void Shutdown() noexcept override {
    retrier_.Shutdown();
    // Runs on the exporting thread inside its io_context, so it may touch the stream: closing
    // it ends a request in flight at once.
    asio::post(ioc_, [this] { Close(); });
  }

 private:
  static ExportResult Failed(std::string message) {
    ExportResult r;
    r.kind = ExportResult::Kind::kFailed;
    r.message = std::move(message);
    return r;
  }
  std::string TlsFailure(const beast::error_code& ec) const {
    return "OTLP/HTTP " + options_.endpoint + ": TLS handshake: " + ec.message();
  }
  ExportResult Retryable(std::string_view what, const beast::error_code& ec) const {
    ExportResult r;
    r.kind = ExportResult::Kind::kRetryable;
    r.message = "OTLP/HTTP " + options_.endpoint + ": " + std::string(what) + ": " +
                (ec == beast::error::timeout ? std::string("timed out") : ec.message());
    return r;
  }

  // Starts one async operation and runs the private io_context until it completes; the
  // stream's expiry (the export deadline) bounds it, which sync Beast calls would not be.
  template <typename Initiate>
  beast::error_code Run(Initiate&& initiate) {
    beast::error_code result = asio::error::would_block;
    initiate([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run();
    return result;
  }

  // The stream the next request goes over: TLS on top of TCP, or TCP alone.
  template <typename F>
  beast::error_code WithStream(F&& f) {
    return tls_stream_ ? f(*tls_stream_) : f(stream_);
  }
  beast::tcp_stream& Tcp() { return tls_stream_ ? beast::get_lowest_layer(*tls_stream_) : stream_; }

  // Only closes the socket: it may run inside Run, while an operation on the stream is pending.
  void Close() {
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Tcp().socket().close(ignored);
    buffer_.clear();
    connected_ = false;
  }

  beast::error_code Handshake() {
    const std::string& name = options_.tls->server_name.empty() ? host_ : options_.tls->server_name;
    if (!TlsVerifyHost(tls_stream_->native_handle(), name)) return asio::error::invalid_argument;
    return Run([&](auto handler) {
      tls_stream_->async_handshake(ssl::stream_base::client, std::move(handler));
    });
  }

  beast::error_code Connect(Clock::time_point deadline) {
    beast::error_code ec;
    if (endpoints_.empty()) {
      // Resolved once and kept: mock services export thousands of batches to one sink.
      auto results = resolver_.resolve(host_, port_, ec);
      if (ec) return ec;
      endpoints_.assign(results.begin(), results.end());
    }
    // A TLS session is not reused across connections: a new stream for each.
    if (tls_context_) tls_stream_.emplace(ioc_, *tls_context_);
    Tcp().expires_at(deadline);
    ec = Run([&](auto handler) { Tcp().async_connect(endpoints_, std::move(handler)); });
    if (ec) {
      endpoints_.clear();  // resolve again next time: the address may have moved
      Close();
      return ec;
    }
    Tcp().socket().set_option(tcp::no_delay(true), ec);
    if (tls_stream_) {
      if ((ec = Handshake())) {
        Close();
        return ec;
      }
    }
    connected_ = true;
    return {};
  }

  ExportResult Attempt(Clock::time_point deadline) {
    for (int pass = 0;; ++pass) {
      const bool reused = connected_;
      if (!connected_) {
        if (auto ec = Connect(deadline)) {
          // A certificate the client does not trust will not be trusted on a retry.
          if (ec.category() == asio::error::get_ssl_category()) return Failed(TlsFailure(ec));
          return Retryable("connect", ec);
        }
      }
      Tcp().expires_at(deadline);
      http::response_parser<http::string_body> parser;
      parser.body_limit(kMaxResponseBytes);
      beast::error_code ec = WithStream([&](auto& stream) {
        beast::error_code result =
            Run([&](auto handler) { http::async_write(stream, request_, std::move(handler)); });
        if (result) return result;
        return Run(
            [&](auto handler) { http::async_read(stream, buffer_, parser, std::move(handler)); });
      });
      if (ec) {
        Close();
        // Nothing was answered on a reused connection: the server had closed it while idle,
        // which says nothing about the server, so resend at once on a new one.
        if (reused && pass == 0 && !parser.got_some() && StaleConnection(ec) &&
            Clock::now() < deadline)
          continue;
        return Retryable(parser.got_some() ? "reading the response" : "sending the request", ec);
      }
      const auto& res = parser.get();
      if (!res.keep_alive()) Close();
      return Classify(res);
    }
  }

  ExportResult Classify(const http::response<http::string_body>& res) const {
    ExportResult r;
    const unsigned status = res.result_int();
    if (status >= 200 && status < 300) {
      if (auto partial = ParseExportResponse(res.body())) {
        r.rejected_spans = partial->rejected_spans;
        r.message = std::move(partial->error_message);
      }
      return r;
    }
    // OTLP/HTTP errors carry a google.rpc.Status in the request's encoding (protobuf here).
    std::string detail;
    if (res[http::field::content_type] == "application/x-protobuf")
      detail = RpcStatusMessage(res.body());
    if (detail.empty()) detail = res.body().substr(0, kMaxErrorInMessage);
    r.message = "OTLP/HTTP " + options_.endpoint + ": HTTP " + std::to_string(status) +
                (detail.empty() ? "" : ": " + detail);
    if (RetryableStatus(status)) {
      r.kind = ExportResult::Kind::kRetryable;
      const auto value = res[http::field::retry_after];
      r.retry_after = RetryAfter(std::string_view(value.data(), value.size()));
    } else {
      r.kind = ExportResult::Kind::kFailed;
    }
    return r;
  }

  const OtlpExporterOptions options_;
  std::string host_, port_;
  bool endpoint_ok_ = false;
  std::shared_ptr<ssl::context> tls_context_;  // null: plain text
  std::string tls_error_;                      // why the context could not be made
  asio::io_context ioc_;
  beast::tcp_stream stream_;                                        // plain text
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_stream_;  // TLS, one per connection
  tcp::resolver resolver_;
  std::vector<tcp::endpoint> endpoints_;
  bool connected_ = false;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  std::string raw_;  // the request before gzip
  ExportRetrier retrier_;
};

}  // namespace

std::unique_ptr<OtlpExporter> MakeOtlpHttpExporter(const OtlpExporterOptions& options) {
  return std::make_unique<OtlpHttpExporter>(options);
}

}  // namespace traceproof
