#include "tracing/otlp_http_exporter.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "otlp/gzip.h"
#include "tracing/export_request.h"

namespace traceproof {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
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
bool StaleConnection(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

class OtlpHttpExporter final : public OtlpExporter {
 public:
  explicit OtlpHttpExporter(const OtlpExporterOptions& options)
      : options_(options), stream_(ioc_), resolver_(ioc_), retrier_(options, counters_) {
    endpoint_ok_ = SplitEndpoint(options.endpoint, host_, port_);
    request_.method(http::verb::post);
    request_.target("/v1/traces");
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
        return Failed("OTLP/HTTP endpoint '" + options_.endpoint + "' is not host:port");
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

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
    buffer_.clear();
    connected_ = false;
  }

  beast::error_code Connect(Clock::time_point deadline) {
    beast::error_code ec;
    if (endpoints_.empty()) {
      // Resolved once and kept: mock services export thousands of batches to one sink.
      auto results = resolver_.resolve(host_, port_, ec);
      if (ec) return ec;
      endpoints_.assign(results.begin(), results.end());
    }
    stream_.expires_at(deadline);
    ec = Run([&](auto handler) { stream_.async_connect(endpoints_, std::move(handler)); });
    if (ec) {
      endpoints_.clear();  // resolve again next time: the address may have moved
      Close();
      return ec;
    }
    stream_.socket().set_option(tcp::no_delay(true), ec);
    connected_ = true;
    return {};
  }

  ExportResult Attempt(Clock::time_point deadline) {
    for (int pass = 0;; ++pass) {
      const bool reused = connected_;
      if (!connected_) {
        if (auto ec = Connect(deadline)) return Retryable("connect", ec);
      }
      stream_.expires_at(deadline);
      beast::error_code ec =
          Run([&](auto handler) { http::async_write(stream_, request_, std::move(handler)); });
      http::response_parser<http::string_body> parser;
      parser.body_limit(kMaxResponseBytes);
      if (!ec) {
        ec = Run(
            [&](auto handler) { http::async_read(stream_, buffer_, parser, std::move(handler)); });
      }
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
  asio::io_context ioc_;
  beast::tcp_stream stream_;
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
