#include "load/open_loop.h"

// clang-format off
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <iterator>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "otlp/decode.h"
#include "truth/inbound_record.h"

namespace traceproof {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using std::chrono::milliseconds;
using std::chrono::seconds;

// A one-thread HTTP server on 127.0.0.1:0. "/status/N" answers N; when `stall_after` requests
// have been answered, the next one blocks the server's only thread for `stall` (every
// connection stalls, as a GC pause or a full disk would stall a real service).
class TestServer {
 public:
  explicit TestServer(std::uint64_t stall_after = 0, milliseconds stall = milliseconds(0),
                      std::chrono::microseconds per_request = {})
      : stall_after_(stall_after),
        stall_(stall),
        per_request_(per_request),
        acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    asio::co_spawn(io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestServer() {
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::uint64_t requests() const { return requests_; }
  std::uint64_t connections() const { return connections_; }  // accepted so far
  // The traceparent of each request ("" when it had none), and how many had the load marker.
  std::vector<std::string> traceparents() const {
    std::lock_guard lock(mu_);
    return traceparents_;
  }
  std::uint64_t marked() const { return marked_; }
  // Closes every connection this long after answering on it, as a server's keep-alive idle
  // timeout does (the answer still said keep-alive).
  void CloseIdleAfter(milliseconds idle) { idle_close_ = idle; }
  std::vector<std::string> bodies() const {
    std::lock_guard lock(mu_);
    return bodies_;
  }

 private:
  asio::awaitable<void> Accept() {
    for (;;) {
      beast::error_code ec;
      auto socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      ++connections_;
      asio::co_spawn(io_, Session(std::move(socket)), asio::detached);
    }
  }
  asio::awaitable<void> Session(asio::ip::tcp::socket socket) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      beast::error_code ec;
      co_await http::async_read(socket, buffer, req, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      {
        std::lock_guard lock(mu_);
        const auto tp = req.find("traceparent");
        traceparents_.push_back(tp == req.end() ? "" : std::string(tp->value()));
        bodies_.push_back(req.body());
      }
      if (req.find(beast::string_view(kLoadMarkerHeader.data(), kLoadMarkerHeader.size())) !=
          req.end())
        ++marked_;
      if (stall_after_ && ++requests_ == stall_after_) std::this_thread::sleep_for(stall_);
      if (!stall_after_) ++requests_;
      if (per_request_.count()) std::this_thread::sleep_for(per_request_);
      unsigned status = 200;
      std::string_view target(req.target().data(), req.target().size());
      if (target.rfind("/status/", 0) == 0) status = std::stoi(std::string(target.substr(8)));
      http::response<http::string_body> res{static_cast<http::status>(status), req.version()};
      res.body() = "ok";
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      co_await http::async_write(socket, res, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      if (idle_close_.count()) {
        asio::steady_timer idle(io_, idle_close_);
        co_await idle.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
        co_return;
      }
    }
  }

  milliseconds idle_close_{0};
  std::uint64_t stall_after_;
  milliseconds stall_;
  std::chrono::microseconds per_request_;
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<std::uint64_t> marked_{0};
  mutable std::mutex mu_;
  std::vector<std::string> traceparents_;
  std::vector<std::string> bodies_;
  asio::io_context io_{1};
  asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
};

OpenLoopOptions Options(std::uint16_t port, double rate, milliseconds duration,
                        std::string path = "/") {
  OpenLoopOptions o;
  o.phases = {ArrivalPhase::Constant(rate, duration)};
  LoadTarget t;
  t.port = port;
  t.path = std::move(path);
  o.targets = {t};
  o.connections = 16;
  o.timeout = milliseconds(5000);
  return o;
}

TEST(OpenLoop, SendsExactlyTheScheduleAndCountsEveryAnswer) {
  TestServer server;
  OpenLoopOptions o = Options(server.port(), 2000, milliseconds(1500));
  o.threads = 2;
  OpenLoopProgress progress;
  const LoadStats s = RunOpenLoop(o, &progress);
  EXPECT_EQ(s.scheduled, 3000u);
  EXPECT_EQ(s.sent, 3000u);
  EXPECT_EQ(s.ok, 3000u);
  EXPECT_EQ(s.by_status.at(200), 3000u);
  EXPECT_EQ(s.Errors(), 0u);
  EXPECT_EQ(s.dropped_iterations, 0u);
  EXPECT_EQ(s.corrected.TotalCount(), 3000u);
  EXPECT_EQ(s.uncorrected.TotalCount(), 3000u);
  EXPECT_EQ(server.requests(), 3000u);
  EXPECT_DOUBLE_EQ(s.target_rate_per_s, 2000);
  EXPECT_EQ(progress.sent.load(), 3000u);
  // Nobody took the interval's answers: every one is there, the last ones included.
  EXPECT_EQ(progress.TakeInterval().TotalCount(), 3000u);
  EXPECT_EQ(progress.TakeInterval().TotalCount(), 0u) << "taken means gone";
  // Corrected latency includes any lateness of the send, so it can never be the smaller one.
  EXPECT_GE(s.corrected.ValueAtPercentile(50), s.uncorrected.ValueAtPercentile(50));
}

TEST(OpenLoop, StalledServerShowsInCorrectedLatencyButHidesFromUncorrected) {
  // 1000 requests/s for 3 s; the server stalls for 1 s after 1000 answers. About a thousand
  // arrivals fall inside the stall and wait for it: only corrected latency sees that wait.
  TestServer server(1000, milliseconds(1000));
  OpenLoopOptions o = Options(server.port(), 1000, milliseconds(3000));
  o.connections = 8;
  const LoadStats s = RunOpenLoop(o);
  ASSERT_EQ(s.ok, 3000u);
  const double corrected_p99_ms = s.corrected.ValueAtPercentile(99) / 1e6;
  const double uncorrected_p99_ms = s.uncorrected.ValueAtPercentile(99) / 1e6;
  EXPECT_GT(corrected_p99_ms, 800) << "uncorrected p99 " << uncorrected_p99_ms << " ms";
  EXPECT_LT(uncorrected_p99_ms * 10, corrected_p99_ms);
  // The 8 requests in flight during the stall saw it from both points of view.
  EXPECT_GT(s.uncorrected.Max() / 1e6, 800);
}

TEST(OpenLoop, ErrorKindsAreCountedApart) {
  std::uint16_t closed_port;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    closed_port = a.local_endpoint().port();
  }
  OpenLoopProgress refused_progress;
  const LoadStats refused =
      RunOpenLoop(Options(closed_port, 200, milliseconds(250)), &refused_progress);
  EXPECT_EQ(refused.scheduled, 50u);
  EXPECT_EQ(refused.errors_connect, 50u);
  EXPECT_EQ(refused_progress.errors_connect.load(), 50u);
  EXPECT_EQ(refused_progress.errors.load(), 50u);
  EXPECT_EQ(refused_progress.not_2xx.load(), 0u);
  EXPECT_EQ(refused.ok + refused.sent, 0u);
  EXPECT_EQ(refused_progress.sent.load(), 0u) << "the series adds requests up to load.sent";

  TestServer server;
  OpenLoopProgress unavailable_progress;
  const LoadStats unavailable = RunOpenLoop(
      Options(server.port(), 200, milliseconds(250), "/status/503"), &unavailable_progress);
  EXPECT_EQ(unavailable.by_status.at(503), 50u);
  EXPECT_EQ(unavailable_progress.not_2xx.load(), 50u);
  EXPECT_EQ(unavailable_progress.errors.load(), 0u);
  EXPECT_EQ(unavailable.ok, 0u);
  EXPECT_EQ(unavailable.Errors(), 0u) << "an HTTP status is an answer, not a transport error";
}

// A server that closes keep-alive connections after 20 ms idle: a request 200 ms later on the
// same connection would fail with a reset though the server is fine (a long run's few idle
// connections did so). The generator sees the close and connects again.
TEST(OpenLoop, AConnectionTheServerClosedWhileIdleIsNotReusedForTheNextRequest) {
  TestServer server;
  server.CloseIdleAfter(milliseconds(20));
  OpenLoopOptions o = Options(server.port(), 5, milliseconds(1000));
  o.connections = 1;
  const LoadStats s = RunOpenLoop(o);
  EXPECT_EQ(s.scheduled, 5u);
  EXPECT_EQ(s.Errors(), 0u) << "reset " << s.errors_reset << ", other " << s.errors_other;
  EXPECT_EQ(s.ok, 5u);
  EXPECT_EQ(server.connections(), 5u);
}

TEST(OpenLoop, APhaseKeepsToItsOwnConnectionsAndTimeout) {
  // Every answer takes 30 ms and the server answers one at a time, so arrivals pile up and the
  // generator opens every connection it may. Phase 1 may open 2 (the run default is 16) and
  // waits 5 ms for an answer; phase 2 may open 3 and waits 5 s.
  TestServer server(0, milliseconds(0), std::chrono::milliseconds(30));
  OpenLoopOptions o = Options(server.port(), 100, milliseconds(100));
  o.phases.push_back(ArrivalPhase::Constant(100, milliseconds(100)));
  o.phases[1].target = 1;
  o.targets.push_back(o.targets[0]);
  o.targets[0].connections = 2;
  o.targets[0].timeout = milliseconds(5);
  o.targets[1].connections = 3;
  o.targets[1].timeout = milliseconds(5000);
  const LoadStats s = RunOpenLoop(o);
  EXPECT_EQ(s.scheduled, 20u);
  EXPECT_EQ(s.errors_timeout, 10u) << "phase 1's 5 ms timeout, not the run's 5 s";
  EXPECT_EQ(s.ok, 10u) << "phase 2's 5 s timeout";
  // A timed-out connection is closed and a new one opened, so phase 1 opens one per request;
  // phase 2 never holds more than 3 at once: at most 3 more.
  EXPECT_LE(server.connections(), 10u + 3u);
  EXPECT_GE(server.connections(), 10u + 1u);
}

TEST(OpenLoop, APhaseOpensNoMoreConnectionsThanItAllows) {
  TestServer server(0, milliseconds(0), std::chrono::milliseconds(2));
  OpenLoopOptions o = Options(server.port(), 2000, milliseconds(200));  // 400 arrivals
  o.connections = 64;
  o.targets[0].connections = 3;
  const LoadStats s = RunOpenLoop(o);
  EXPECT_EQ(s.ok, 400u);
  EXPECT_EQ(server.connections(), 3u) << "a backlog of hundreds, but only 3 connections allowed";
}

TEST(OpenLoop, ArrivalsBeyondTheBacklogAreDroppedAndCounted) {
  TestServer server(10, milliseconds(800));
  OpenLoopOptions o = Options(server.port(), 1000, milliseconds(1000));
  o.connections = 1;
  o.max_backlog_per_thread = 20;
  OpenLoopProgress progress;
  const LoadStats s = RunOpenLoop(o, &progress);
  EXPECT_GT(s.dropped_iterations, 500u);
  EXPECT_EQ(s.sent + s.dropped_iterations, s.scheduled) << "every arrival is sent or counted";
  EXPECT_EQ(progress.dropped.load(), s.dropped_iterations);
}

TEST(OpenLoop, AGeneratorThatFallsBehindReportsTheRateItAchieved) {
  // The server needs 4 ms per request on one thread (at most 250/s); 1000/s are offered for
  // 0.5 s. Every request is still sent, late, so the achieved rate must show the shortfall.
  TestServer server(0, milliseconds(0), std::chrono::microseconds(4000));
  OpenLoopOptions o = Options(server.port(), 1000, milliseconds(500));
  o.connections = 4;
  const LoadStats s = RunOpenLoop(o);
  EXPECT_EQ(s.sent, 500u);
  EXPECT_GT(s.duration_s, 1.5);
  EXPECT_LT(s.AchievedRatePerS(), 350);
  EXPECT_DOUBLE_EQ(s.target_rate_per_s, 1000);
}

TEST(OpenLoop, StopEndsASlowScheduleQuickly) {
  TestServer server;
  OpenLoopOptions o = Options(server.port(), 1, milliseconds(60000));
  std::atomic<bool> stop{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds(300));
    stop = true;
  });
  const auto begin = std::chrono::steady_clock::now();
  const LoadStats s = RunOpenLoop(o, nullptr, &stop);
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, seconds(3));
  EXPECT_EQ(s.sent, 1u);
}

TEST(OpenLoop, EveryRequestCarriesTheLoadMarkerAndNoTraceContextByDefault) {
  TestServer server;
  const LoadStats s = RunOpenLoop(Options(server.port(), 100, milliseconds(200)));
  EXPECT_EQ(s.ok, 20u);
  EXPECT_EQ(server.marked(), 20u);
  for (const std::string& tp : server.traceparents()) EXPECT_EQ(tp, "");
  EXPECT_TRUE(s.started_traces.empty());
}

TEST(OpenLoop, AFreshTraceparentStartsANewSampledTracePerRequestAndKeepsItsId) {
  TestServer server;
  OpenLoopOptions o = Options(server.port(), 100, milliseconds(200));
  o.threads = 2;
  o.targets[0].fresh_traceparent = true;
  const LoadStats s = RunOpenLoop(o);
  EXPECT_EQ(s.ok, 20u);
  EXPECT_EQ(server.marked(), 20u);
  std::set<TraceId> sent;
  for (const std::string& tp : server.traceparents()) {
    ASSERT_EQ(tp.size(), 55u) << tp;
    EXPECT_EQ(tp.substr(0, 3), "00-");
    EXPECT_EQ(tp.substr(52), "-01");  // sampled
    const auto trace = TraceId::FromHex(tp.substr(3, 32));
    ASSERT_TRUE(trace && trace->IsValid()) << tp;
    sent.insert(*trace);
  }
  EXPECT_EQ(sent.size(), 20u);  // one new trace per request
  EXPECT_EQ(std::set<TraceId>(s.started_traces.begin(), s.started_traces.end()), sent);
}

TEST(OpenLoop, SpanLoadSendsFreshOtlpExports) {
  TestServer server;
  OpenLoopOptions o = Options(server.port(), 100, milliseconds(200), "/v1/traces");
  o.targets[0].span_load_spans = 10;
  const LoadStats s = RunOpenLoop(o);
  EXPECT_EQ(s.ok, 20u);
  EXPECT_EQ(s.spans_sent, 200u);
  EXPECT_EQ(s.spans_acknowledged, 200u);
  EXPECT_TRUE(s.spans_failed.empty());
}

// The throughput check's first hop in a span-load run: spans of requests that were refused,
// never connected, or answered non-2xx count as sent and failed, by kind.
TEST(OpenLoop, SpanLoadCountsTheSpansOfEveryFailedRequestByKind) {
  TestServer server;
  OpenLoopOptions o = Options(server.port(), 100, milliseconds(200), "/status/503");
  o.targets[0].span_load_spans = 10;
  LoadStats s = RunOpenLoop(o);
  EXPECT_EQ(s.spans_sent, 200u);
  EXPECT_EQ(s.spans_acknowledged, 0u);
  EXPECT_EQ(s.spans_failed, (std::map<std::string, std::uint64_t>{{"status 503", 200}}));

  std::uint16_t closed_port;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    closed_port = a.local_endpoint().port();
  }
  o = Options(closed_port, 100, milliseconds(200), "/v1/traces");
  o.targets[0].span_load_spans = 10;
  s = RunOpenLoop(o);
  EXPECT_EQ(s.spans_sent, 200u);
  EXPECT_EQ(s.spans_failed, (std::map<std::string, std::uint64_t>{{"connect", 200}}));
}

// Span load's ids come from a seed of the generator's own: two generators started together (two
// runs feeding one Collector) send disjoint trace ids; the same id_seed twice repeats them (the
// twin that shows this test can see a collision).
std::set<TraceId> SpanLoadTraceIds(std::optional<std::uint64_t> id_seed) {
  TestServer server;
  OpenLoopOptions o = Options(server.port(), 100, milliseconds(100), "/v1/traces");
  o.targets[0].span_load_spans = 10;
  o.id_seed = id_seed;
  RunOpenLoop(o);
  std::set<TraceId> ids;
  for (const std::string& body : server.bodies()) {
    const DecodeResult d = DecodeExportRequest(std::make_shared<const std::string>(body));
    for (const SpanView& span : d.batch.spans) ids.insert(span.trace_id);
  }
  return ids;
}

TEST(OpenLoop, SpanLoadIdsAreTheGeneratorsOwn) {
  const std::set<TraceId> a = SpanLoadTraceIds(std::nullopt);
  const std::set<TraceId> b = SpanLoadTraceIds(std::nullopt);
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  std::vector<TraceId> both;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
  EXPECT_TRUE(both.empty()) << both.size() << " trace ids sent by both generators";
  EXPECT_EQ(SpanLoadTraceIds(7), SpanLoadTraceIds(7));
}

}  // namespace
}  // namespace traceproof
