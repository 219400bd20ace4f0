// HTTP/1.1 client for service-to-service calls, as C++20 coroutines on Boost.Asio, with a pool
// of kept-alive connections per target so a call costs a request, not a TCP handshake (the
// mock services must sustain ≥10 k requests/s on two cores). Errors are values: a call returns
// what went wrong (connect, timeout, reset, status) for the caller's span and ground truth.
// CallClient is the seam call steps use (a test answers calls with a fake); PooledCallClient is
// the real one, over HttpClientPool.
// Thread-safe: the pool is shared by all service threads; a connection is only handed to a
// call running on the io_context it belongs to (each service thread runs its own).
#pragma once

// clang-format off: must come before any Boost.Asio header
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace traceproof::mock {

struct HttpCallResult {
  enum class Error { kNone, kConnect, kTimeout, kReset, kIo };
  Error error = Error::kNone;
  unsigned status = 0;  // HTTP status when error == kNone
  std::string message;
  bool ok() const { return error == Error::kNone && status < 400; }
};

using HttpCallRequest = boost::beast::http::request<boost::beast::http::string_body>;

// What a call step needs from the network: where a service is, and one call to it.
class CallClient {
 public:
  virtual ~CallClient() = default;
  // The address calls to `service` go to (the client span's server.port and url.full).
  virtual boost::asio::ip::tcp::endpoint Target(std::string_view service) const = 0;
  virtual boost::asio::awaitable<HttpCallResult> Call(boost::asio::ip::tcp::endpoint target,
                                                      HttpCallRequest request) = 0;
};

class HttpClientPool {
 public:
  using Request = HttpCallRequest;

  boost::asio::awaitable<HttpCallResult> Call(boost::asio::ip::tcp::endpoint target,
                                              Request request, std::chrono::milliseconds timeout);
  // Closes every idle connection; call before the io_context they belong to goes away.
  void Clear();

 private:
  struct Idle {
    explicit Idle(boost::asio::any_io_executor ex) : stream(std::move(ex)) {}
    boost::beast::tcp_stream stream;
    boost::beast::flat_buffer buffer;
  };
  using Key = std::pair<const boost::asio::execution_context*, boost::asio::ip::tcp::endpoint>;
  std::unique_ptr<Idle> Take(const Key& key);
  void Give(const Key& key, std::unique_ptr<Idle> conn);

  std::mutex mu_;
  std::map<Key, std::vector<std::unique_ptr<Idle>>> idle_;
};

// CallClient over an HttpClientPool, every call bounded by `timeout`. Targets are fixed when it
// is made: the services' own ports and the external services' addresses.
class PooledCallClient final : public CallClient {
 public:
  PooledCallClient(HttpClientPool& pool, std::chrono::milliseconds timeout)
      : pool_(pool), timeout_(timeout) {}
  // Before the first call; not thread-safe.
  void AddTarget(std::string service, boost::asio::ip::tcp::endpoint endpoint);

  boost::asio::ip::tcp::endpoint Target(std::string_view service) const override;
  boost::asio::awaitable<HttpCallResult> Call(boost::asio::ip::tcp::endpoint target,
                                              HttpCallRequest request) override;

 private:
  HttpClientPool& pool_;
  const std::chrono::milliseconds timeout_;
  std::map<std::string, boost::asio::ip::tcp::endpoint, std::less<>> targets_;
};

}  // namespace traceproof::mock
