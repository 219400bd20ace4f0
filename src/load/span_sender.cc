#include "load/span_sender.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "load/fresh_id_batch.h"
#include "load/id_seed.h"

namespace traceproof {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

// Connection `id`'s batch: trace ids and span ids from streams of the sender's seed of its own.
FreshIdBatch ConnectionBatch(const SpanSenderOptions& o, std::uint64_t seed, int id) {
  SyntheticSpanOptions batch = o.batch;
  const auto stream = static_cast<std::uint64_t>(id);
  batch.seed = StreamSeed(seed, 2 * stream);
  return FreshIdBatch(batch, StreamSeed(seed, 2 * stream + 1));
}

void HttpWorker(const SpanSenderOptions& o, int id, Clock::time_point stop, SpanSenderStats& st) {
  FreshIdBatch batch = ConnectionBatch(o, st.seed, id);
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  bool connected = false;
  while (Clock::now() < stop) {
    beast::error_code ec;
    if (!connected) {
      stream.expires_after(std::chrono::seconds(5));
      stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address(o.host), o.port), ec);
      if (ec) {
        ++st.connect_errors;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      connected = true;
    }
    http::request<http::string_body> req{http::verb::post, "/v1/traces", 11};
    req.set(http::field::host, o.host);
    req.set(http::field::content_type, "application/x-protobuf");
    req.body() = batch.Renew();
    req.prepare_payload();
    stream.expires_after(std::chrono::seconds(10));
    http::write(stream, req, ec);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    if (!ec) http::read(stream, buffer, res, ec);
    if (ec) {
      ++st.io_errors;
      stream.close();
      connected = false;
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
  auto channel = grpc::CreateCustomChannel(o.host + ":" + std::to_string(o.port),
                                           grpc::InsecureChannelCredentials(), args);
  grpc::GenericStub stub(channel);
  while (Clock::now() < stop) {
    const std::string& bytes = batch.Renew();
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1), response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
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
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      auto& st = per_worker[static_cast<std::size_t>(i)];
      if (options.protocol == OtlpProtocol::kGrpc)
        GrpcWorker(options, i, stop, st);
      else
        HttpWorker(options, i, stop, st);
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
