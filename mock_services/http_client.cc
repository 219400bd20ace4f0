#include "mock_services/http_client.h"

// clang-format off: must come before any Boost.Asio header
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>

namespace traceproof::mock {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::unique_ptr<HttpClientPool::Idle> HttpClientPool::Take(const Key& key) {
  std::lock_guard lock(mu_);
  auto it = idle_.find(key);
  if (it == idle_.end() || it->second.empty()) return nullptr;
  auto conn = std::move(it->second.back());
  it->second.pop_back();
  return conn;
}

void HttpClientPool::Clear() {
  std::lock_guard lock(mu_);
  idle_.clear();
}

void HttpClientPool::Give(const Key& key, std::unique_ptr<Idle> conn) {
  std::lock_guard lock(mu_);
  auto& list = idle_[key];
  if (list.size() < 256) list.push_back(std::move(conn));  // bound idle sockets per target
}

asio::awaitable<HttpCallResult> HttpClientPool::Call(asio::ip::tcp::endpoint target,
                                                     Request request,
                                                     std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  const Key key{&asio::query(executor, asio::execution::context), target};
  HttpCallResult result;
  // A pooled connection may have been closed by the server while idle; one retry on a fresh
  // connection covers that without hiding real failures.
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<Idle> conn = attempt == 0 ? Take(key) : nullptr;
    const bool reused = conn != nullptr;
    if (!conn) {
      conn = std::make_unique<Idle>(executor);
      conn->stream.expires_after(timeout);
      beast::error_code ec;
      co_await conn->stream.async_connect(target, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        result.error = ec == beast::error::timeout ? HttpCallResult::Error::kTimeout
                                                   : HttpCallResult::Error::kConnect;
        result.message = ec.message();
        co_return result;
      }
    }
    request.keep_alive(true);
    request.prepare_payload();
    conn->stream.expires_after(timeout);
    beast::error_code ec;
    co_await http::async_write(conn->stream, request,
                               asio::redirect_error(asio::use_awaitable, ec));
    http::response<http::string_body> response;
    if (!ec) {
      co_await http::async_read(conn->stream, conn->buffer, response,
                                asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec) {
      if (reused && ec != beast::error::timeout) continue;  // stale pooled connection
      if (ec == beast::error::timeout) {
        result.error = HttpCallResult::Error::kTimeout;
      } else if (ec == asio::error::connection_reset || ec == http::error::end_of_stream ||
                 ec == asio::error::eof) {
        result.error = HttpCallResult::Error::kReset;
      } else {
        result.error = HttpCallResult::Error::kIo;
      }
      result.message = ec.message();
      co_return result;
    }
    result.status = response.result_int();
    if (response.keep_alive()) {
      conn->stream.expires_never();
      Give(key, std::move(conn));
    }
    co_return result;
  }
  co_return result;
}

void PooledCallClient::AddTarget(std::string service, asio::ip::tcp::endpoint endpoint) {
  targets_.insert_or_assign(std::move(service), endpoint);
}

asio::ip::tcp::endpoint PooledCallClient::Target(std::string_view service) const {
  // The loader checked every call's target; were one missing, its calls fail to connect.
  auto it = targets_.find(service);
  return it == targets_.end() ? asio::ip::tcp::endpoint{} : it->second;
}

asio::awaitable<HttpCallResult> PooledCallClient::Call(asio::ip::tcp::endpoint target,
                                                       HttpCallRequest request) {
  return pool_.Call(target, std::move(request), timeout_);
}

}  // namespace traceproof::mock
