#include "mock_services/admin_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>  // Boost 1.74 asio uses std::exchange without including it

namespace traceproof::mock {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// The value of `name` in a query string, or nullopt.
std::optional<std::string_view> QueryValue(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

AdminResponse Text(int status, std::string body) {
  return {status, "text/plain; charset=utf-8", std::move(body)};
}

class BeastAdminServer final : public AdminServer {
 public:
  BeastAdminServer(const AdminServerOptions& options, AdminSources sources)
      : options_(options), sources_(std::move(sources)), acceptor_(ioc_) {}
  ~BeastAdminServer() override { Stop(); }

  bool Bind(std::string& error) {
    beast::error_code ec;
    const auto address = asio::ip::make_address(options_.host, ec);
    if (ec) {
      error = "invalid admin listen address '" + options_.host + "': " + ec.message();
      return false;
    }
    const tcp::endpoint endpoint{address, options_.port};
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      error = "cannot listen for the admin endpoint on " + options_.host + ":" +
              std::to_string(options_.port) + ": " + ec.message();
      return false;
    }
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(ioc_, Listen(), asio::detached);
    thread_ = std::thread([this] { ioc_.run(); });
    return true;
  }

  std::uint16_t port() const override { return port_; }

  void Stop() override {
    if (stopped_.exchange(true)) return;
    ioc_.stop();
    if (thread_.joinable()) thread_.join();
    // The io_context no longer runs: close the listening socket here, or the kernel would go on
    // accepting connections nobody answers.
    beast::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  asio::awaitable<void> Listen() {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket(ioc_);
      co_await acceptor_.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::operation_aborted) co_return;
      if (!ec) asio::co_spawn(ioc_, Session(std::move(socket)), asio::detached);
    }
  }

  // One request per connection at a time; a client that stalls is dropped after 30 s.
  asio::awaitable<void> Session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::empty_body> parser;
      parser.body_limit(0);  // GET only: a body is a mistake
      stream.expires_after(std::chrono::seconds(30));
      beast::error_code ec;
      co_await http::async_read(stream, buffer, parser,
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      const auto& req = parser.get();
      // Boost 1.74's beast::string_view is not std::string_view.
      const auto method = req.method_string();
      const auto target = req.target();
      AdminResponse out =
          HandleAdminRequest(std::string_view(method.data(), method.size()),
                             std::string_view(target.data(), target.size()), sources_);
      http::response<http::string_body> res{static_cast<http::status>(out.status), req.version()};
      res.set(http::field::content_type, out.content_type);
      res.keep_alive(req.keep_alive());
      res.body() = std::move(out.body);
      res.prepare_payload();
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !res.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  AdminServerOptions options_;
  AdminSources sources_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
};

}  // namespace

std::string AdminStatsToJson(const AdminStats& a) {
  const MockServicesStats& s = a.services;
  const nlohmann::json j = {
      {"now_unix_ns", a.now_unix_ns},
      {"host", a.host},
      {"ports", a.ports},
      {"requests", s.requests},
      {"spans_started", s.spans_started},
      {"spans_exported", s.spans_exported},
      {"spans_dropped_queue", s.spans_dropped_queue},
      {"spans_dropped_outage", s.spans_dropped_outage},
      {"spans_failed_export", s.spans_failed_export},
      {"spans_pending", s.spans_pending},
      {"messages_published", s.messages_published},
      {"messages_publish_failed", s.messages_publish_failed},
      {"messages_redelivered", s.messages_redelivered},
  };
  return j.dump() + "\n";
}

std::optional<AdminStats> AdminStatsFromJson(std::string_view json, std::string& error) {
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "the admin endpoint's /stats is not a JSON object";
    return std::nullopt;
  }
  AdminStats a;
  auto number = [&](const char* key, std::uint64_t& out) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number_unsigned()) {
      error = std::string("the admin endpoint's /stats has no counter '") + key + "'";
      return false;
    }
    out = it->get<std::uint64_t>();
    return true;
  };
  MockServicesStats& s = a.services;
  if (!number("now_unix_ns", a.now_unix_ns) || !number("requests", s.requests) ||
      !number("spans_started", s.spans_started) || !number("spans_exported", s.spans_exported) ||
      !number("spans_dropped_queue", s.spans_dropped_queue) ||
      !number("spans_dropped_outage", s.spans_dropped_outage) ||
      !number("spans_failed_export", s.spans_failed_export) ||
      !number("spans_pending", s.spans_pending) ||
      !number("messages_published", s.messages_published) ||
      !number("messages_publish_failed", s.messages_publish_failed) ||
      !number("messages_redelivered", s.messages_redelivered)) {
    return std::nullopt;
  }
  if (const auto it = j.find("host"); it != j.end() && it->is_string()) a.host = *it;
  if (const auto it = j.find("ports"); it != j.end() && it->is_object()) {
    for (const auto& [name, port] : it->items())
      if (port.is_number_integer()) a.ports[name] = port.get<int>();
  }
  return a;
}

AdminResponse HandleAdminRequest(std::string_view method, std::string_view target,
                                 const AdminSources& sources) {
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  if (path != "/truth" && path != "/inbound" && path != "/stats") {
    return Text(404,
                "not found: the admin endpoint serves GET /truth[?since=NS], GET "
                "/inbound[?since=NS] and GET /stats\n");
  }
  if (method != "GET") return Text(405, "method not allowed: use GET\n");
  if (path == "/stats") {
    if (!sources.stats) return Text(503, "no stats source\n");
    return {200, "application/json", AdminStatsToJson(sources.stats())};
  }
  std::uint64_t since = 0;
  if (const auto value = QueryValue(query, "since")) {
    const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), since);
    if (ec != std::errc() || end != value->data() + value->size() || value->empty()) {
      return Text(400, "bad since='" + std::string(*value) +
                           "': want nanoseconds since the Unix epoch, e.g. the now_unix_ns of "
                           "GET /stats\n");
    }
  }
  if (!sources.truth) return Text(503, "no ground truth source\n");
  AdminResponse out{200, "application/x-ndjson", {}};
  if (path == "/inbound") {
    for (const InboundRecord& record : sources.truth->InboundSince(since)) {
      out.body += InboundToJson(record);
      out.body += '\n';
    }
    return out;
  }
  for (const GroundTruthSpan& span : sources.truth->Since(since)) {
    out.body += GroundTruthToJson(span);
    out.body += '\n';
  }
  return out;
}

std::unique_ptr<AdminServer> StartAdminServer(const AdminServerOptions& options,
                                              AdminSources sources, std::string& error) {
  auto server = std::make_unique<BeastAdminServer>(options, std::move(sources));
  if (!server->Bind(error)) return nullptr;
  return server;
}

}  // namespace traceproof::mock
