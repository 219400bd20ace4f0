#include "load/span_sender.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

// clang-format off: this must come before Boost's headers.
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "load/fresh_id_batch.h"
#include "load/id_seed.h"
#include "otlp/gzip.h"

namespace traceproof {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Connection `id`'s batch: trace ids and span ids from streams of the sender's seed of its own.
FreshIdBatch ConnectionBatch(const SpanSenderOptions& o, std::uint64_t seed, int id) {
  SyntheticSpanOptions batch = o.batch;
  const auto stream = static_cast<std::uint64_t>(id);
  batch.seed = StreamSeed(seed, 2 * stream);
  return FreshIdBatch(batch, StreamSeed(seed, 2 * stream + 1));
}

// One keep-alive OTLP/HTTP connection: TCP, or TLS over it, made anew after any error.
class HttpConnection {
 public:
  HttpConnection(const SpanSenderOptions& o, ssl::context* tls) : o_(o), tls_(tls) {}

  bool connected() const { return connected_; }

  beast::error_code Connect() {
    beast::error_code ec;
    if (endpoints_.empty()) {
      auto results = tcp::resolver(ioc_).resolve(o_.host, std::to_string(o_.port), ec);
      if (ec) return ec;
      endpoints_.assign(results.begin(), results.end());
    }
    if (tls_ != nullptr) tls_stream_.emplace(ioc_, *tls_);
    Tcp().expires_after(std::chrono::seconds(5));
    Tcp().connect(endpoints_, ec);
    if (!ec && tls_stream_) {
      const std::string& name = o_.tls->server_name.empty() ? o_.host : o_.tls->server_name;
      if (!TlsVerifyHost(tls_stream_->native_handle(), name)) ec = asio::error::invalid_argument;
      if (!ec) tls_stream_->handshake(ssl::stream_base::client, ec);
    }
    connected_ = !ec;
    if (ec) Close();
    return ec;
  }

  beast::error_code Exchange(const http::request<http::string_body>& req,
                             http::response<http::string_body>& res) {
    beast::error_code ec;
    Tcp().expires_after(std::chrono::seconds(10));
    auto exchange = [&](auto& stream) {
      http::write(stream, req, ec);
      if (!ec) http::read(stream, buffer_, res, ec);
    };
    if (tls_stream_)
      exchange(*tls_stream_);
    else
      exchange(plain_);
    if (ec) Close();
    return ec;
  }

 private:
  beast::tcp_stream& Tcp() { return tls_stream_ ? beast::get_lowest_layer(*tls_stream_) : plain_; }
  void Close() {
    beast::error_code ignored;
    Tcp().socket().close(ignored);
    buffer_.clear();
    connected_ = false;
  }

  const SpanSenderOptions& o_;
  ssl::context* tls_;
  asio::io_context ioc_;
  beast::tcp_stream plain_{ioc_};
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_stream_;
  std::vector<tcp::endpoint> endpoints_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

void HttpWorker(const SpanSenderOptions& o, ssl::context* tls, int id, Clock::time_point stop,
                SpanSenderStats& st) {
  FreshIdBatch batch = ConnectionBatch(o, st.seed, id);
  HttpConnection connection(o, tls);
  http::request<http::string_body> req{http::verb::post, o.path, 11};
  req.set(http::field::host, o.host);
  req.set(http::field::content_type, "application/x-protobuf");
  if (o.gzip) req.set(http::field::content_encoding, "gzip");
  for (const auto& [name, value] : o.headers) req.insert(name, value);
  while (Clock::now() < stop) {
    if (!connection.connected() && connection.Connect()) {
      ++st.connect_errors;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    req.body() = o.gzip ? Gzip(batch.Renew()) : batch.Renew();
    req.prepare_payload();
    http::response<http::string_body> res;
    if (connection.Exchange(req, res)) {
      ++st.io_errors;
      continue;
    }
    if (res.result() == http::status::ok) {
      ++st.requests_ok;
      st.spans_ok += static_cast<std::uint64_t>(batch.spans());
    } else {
      ++st.status_errors;
    }
  }
}

void GrpcWorker(const SpanSenderOptions& o, int id, Clock::time_point stop, SpanSenderStats& st) {
  FreshIdBatch batch = ConnectionBatch(o, st.seed, id);
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one connection per worker, not shared
  args.SetMaxSendMessageSize(-1);
  const std::string target = o.host.find(':') != std::string::npos
                                 ? "[" + o.host + "]:" + std::to_string(o.port)
                                 : o.host + ":" + std::to_string(o.port);
  auto channel = MakeOtlpGrpcChannel(target, o.tls, args);
  grpc::GenericStub stub(channel);
  while (Clock::now() < stop) {
    const std::string& bytes = batch.Renew();
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1), response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (o.gzip) ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);
    for (const auto& [name, value] : o.headers) ctx.AddMetadata(name, value);
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, "/opentelemetry.proto.collector.trace.v1.TraceService/Export", {},
                   &request, &response, [&done](grpc::Status s) { done.set_value(std::move(s)); });
    grpc::Status status = done.get_future().get();
    if (status.ok()) {
      ++st.requests_ok;
      st.spans_ok += static_cast<std::uint64_t>(batch.spans());
    } else if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      ++st.connect_errors;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } else if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      ++st.io_errors;
    } else {
      ++st.status_errors;
    }
  }
}

}  // namespace

SpanSenderStats RunSpanSender(const SpanSenderOptions& options) {
  const int n = std::max(1, options.connections);
  const std::uint64_t seed = options.seed ? *options.seed : DrawSeed();
  std::vector<SpanSenderStats> per_worker(static_cast<std::size_t>(n));
  for (auto& st : per_worker) st.seed = seed;
  const auto start = Clock::now();
  const auto stop = start + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(options.seconds));
  std::shared_ptr<ssl::context> tls;
  if (options.tls && options.protocol == OtlpProtocol::kHttpProtobuf) {
    std::string error;
    tls = MakeClientTlsContext(*options.tls, error);
    if (!tls) {  // nothing can connect: every worker's first try counts as a connect error
      SpanSenderStats failed;
      failed.seed = seed;
      failed.connect_errors = static_cast<std::uint64_t>(n);
      failed.error = error;
      return failed;
    }
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      auto& st = per_worker[static_cast<std::size_t>(i)];
      if (options.protocol == OtlpProtocol::kGrpc)
        GrpcWorker(options, i, stop, st);
      else
        HttpWorker(options, tls.get(), i, stop, st);
    });
  }
  for (auto& t : threads) t.join();
  SpanSenderStats total;
  for (const auto& st : per_worker) {  // share-nothing workers, merged once at the end
    total.requests_ok += st.requests_ok;
    total.spans_ok += st.spans_ok;
    total.connect_errors += st.connect_errors;
    total.status_errors += st.status_errors;
    total.io_errors += st.io_errors;
  }
  total.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  total.seed = seed;
  return total;
}

}  // namespace traceproof
