// Each worker runs one scheduler coroutine (waits for intended start times, queues arrivals,
// wakes an idle connection or opens a new one) and up to its share of connection coroutines
// (take the oldest queued arrival, send, read, record). The request head is serialized once per
// target; only span-load bodies change per request.
#include "load/open_loop.h"

// clang-format off
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <thread>

#include "load/fresh_id_batch.h"
#include "load/id_seed.h"
#include "truth/inbound_record.h"

namespace traceproof {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;
using asio::awaitable;
using asio::use_awaitable;

struct Pending {
  Clock::time_point intended;
  int target = 0;
};

// A target as one worker sends it: the serialized head, and a body source.
struct PreparedTarget {
  asio::ip::tcp::endpoint endpoint;
  std::string head;  // request line and headers, without Content-Length for span load
  // With a fresh traceparent: the head ends before it, and `rest` (Content-Length and body)
  // follows it.
  bool fresh_traceparent = false;
  std::string rest;
  std::string body;
  std::unique_ptr<FreshIdBatch> spans;  // span load: new trace ids per request
  std::uint64_t span_count = 0;         // span load: spans per request
  int max_connections = 1;              // this worker's share
  std::chrono::milliseconds timeout{0};
};

// This worker's share of `total` connections, so the shares add up to it (at least one each).
int ShareOf(int total, int threads, int index) {
  return std::max(1, total / threads + (index < total % threads ? 1 : 0));
}

enum class ErrorKind { kNone, kConnect, kTimeout, kReset, kOther };

ErrorKind ClassifyError(const beast::error_code& ec, LoadStats& stats) {
  if (ec == beast::error::timeout) {
    ++stats.errors_timeout;
    return ErrorKind::kTimeout;
  }
  if (ec == asio::error::connection_reset || ec == asio::error::eof ||
      ec == asio::error::broken_pipe || ec == http::error::end_of_stream) {
    ++stats.errors_reset;
    return ErrorKind::kReset;
  }
  ++stats.errors_other;
  return ErrorKind::kOther;
}

class Worker {
 public:
  Worker(const OpenLoopOptions& options, int index, int max_connections, OpenLoopProgress* progress,
         const std::atomic<bool>* stop)
      : options_(options),
        max_connections_(std::max(1, max_connections)),
        progress_(progress),
        stop_(stop),
        schedule_(options.phases, options.shard + std::max(1, options.shards) * index,
                  std::max(1, options.shards) * std::max(1, options.threads), options.seed) {
    for (const LoadTarget& t : options.targets) {
      PreparedTarget p;
      p.max_connections = ShareOf(t.connections > 0 ? t.connections : options.connections,
                                  std::max(1, options.threads), index);
      p.timeout = t.timeout.count() > 0 ? t.timeout : options.timeout;
      boost::system::error_code ec;
      p.endpoint = asio::ip::tcp::endpoint(asio::ip::make_address(t.host, ec), t.port);
      const bool span_load = t.span_load_spans > 0;
      std::string content_type = span_load ? "application/x-protobuf" : t.content_type;
      p.head = fmt::format("{} {} HTTP/1.1\r\nHost: {}:{}\r\nUser-Agent: traceproof\r\n",
                           span_load ? "POST" : t.method, t.path, t.host, t.port);
      if (!span_load) p.head += fmt::format("{}: 1\r\n", kLoadMarkerHeader);
      if (!content_type.empty()) p.head += fmt::format("Content-Type: {}\r\n", content_type);
      for (const auto& [name, value] : t.headers) p.head += fmt::format("{}: {}\r\n", name, value);
      if (span_load) {
        SyntheticSpanOptions so;
        so.spans = t.span_load_spans;
        so.spans_per_trace = std::max(1, t.spans_per_trace);
        const std::uint64_t ids = options.id_seed.value_or(1);  // RunOpenLoop fills it
        const auto stream = static_cast<std::uint64_t>(index);
        so.seed = StreamSeed(ids, 2 * stream);
        p.spans = std::make_unique<FreshIdBatch>(so, StreamSeed(ids, 2 * stream + 1));
        p.span_count = static_cast<std::uint64_t>(t.span_load_spans);
      } else {
        p.body = t.body;
        p.fresh_traceparent = t.fresh_traceparent;
        (p.fresh_traceparent ? p.rest : p.head) +=
            fmt::format("Content-Length: {}\r\n\r\n{}", t.body.size(), t.body);
      }
      targets_.push_back(std::move(p));
    }
  }

  LoadStats Run(Clock::time_point start) {
    start_ = start;
    asio::co_spawn(io_, options_.closed_loop ? ClosedLoop() : Schedule(), asio::detached);
    asio::co_spawn(io_, Progress(), asio::detached);
    io_.run();
    PublishInterval();  // the answers after the last tick
    stats_.dropped_iterations += backlog_.size();
    stats_.duration_s = std::chrono::duration<double>(last_send_ - start_).count();
    return std::move(stats_);
  }

 private:
  struct Connection {
    explicit Connection(asio::any_io_executor ex) : stream(ex), wake(ex) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    asio::steady_timer wake;
    int target = -1;               // what the open socket is connected to; -1: not connected
    Clock::time_point answered{};  // when its last answer arrived
  };

  // A keep-alive connection left idle may have been closed by the server (its idle timeout:
  // Node's is 5 s, the sink's 60 s). Writing on it fails with a reset, a request the schedule
  // counted as failed though the server never saw it: over a 10-minute run a few connections
  // that only bursts wake up hit this. A non-blocking peek sees the close first. Only after an
  // idle gap, so a busy connection pays no extra system call.
  static bool ClosedWhileIdle(Connection& c) {
    constexpr auto kIdleGap = std::chrono::milliseconds(100);
    if (Clock::now() - c.answered < kIdleGap) return false;
    auto& socket = c.stream.socket();
    beast::error_code ec;
    socket.non_blocking(true, ec);
    char byte;
    const std::size_t n =
        socket.receive(asio::buffer(&byte, 1), asio::socket_base::message_peek, ec);
    const bool open = ec == asio::error::would_block;  // nothing to read: still connected
    socket.non_blocking(false, ec);
    return !open || n > 0;  // closed, failed, or bytes no request asked for
  }

  bool Stopping() const { return stop_ && stop_->load(std::memory_order_relaxed); }

  awaitable<void> Schedule() {
    asio::steady_timer& timer = schedule_timer_;
    while (auto arrival = schedule_.Next()) {
      const Clock::time_point at = start_ + arrival->at;
      if (Clock::now() < at) {
        timer.expires_at(at);
        beast::error_code ec;
        co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
      }
      if (Stopping()) break;  // arrivals not yet due were never scheduled
      ++stats_.scheduled;
      if (backlog_.size() >= options_.max_backlog_per_thread) {
        ++stats_.dropped_iterations;
        if (progress_) progress_->dropped.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      const int target = options_.phases[arrival->phase].target;
      cap_ = targets_[target].max_connections;
      backlog_.push_back(Pending{at, target});
      if (!idle_.empty()) {
        Connection* c = idle_.back();
        idle_.pop_back();
        c->wake.cancel();
      } else if (open_connections_ < cap_) {
        ++open_connections_;
        asio::co_spawn(io_, Serve(), asio::detached);
      }
    }
    schedule_done_ = true;
    for (Connection* c : idle_) c->wake.cancel();
    idle_.clear();
  }

  awaitable<void> ClosedLoop() {
    Clock::duration total{};
    for (const auto& p : options_.phases) total += p.duration;
    closed_loop_until_ = start_ + total;
    schedule_done_ = true;
    for (int i = 0; i < max_connections_; ++i) {
      ++open_connections_;
      asio::co_spawn(io_, Serve(), asio::detached);
    }
    co_return;
  }

  // Takes the next request to send, waiting while the backlog is empty; nullopt: finished.
  awaitable<std::optional<Pending>> Take(Connection& c) {
    for (;;) {
      if (options_.closed_loop) {
        const auto now = Clock::now();
        if (now >= closed_loop_until_ || Stopping()) co_return std::nullopt;
        ++stats_.scheduled;
        co_return Pending{now, options_.phases.empty() ? 0 : options_.phases[0].target};
      }
      if (Stopping()) co_return std::nullopt;  // the backlog is counted as dropped
      if (!backlog_.empty()) {
        Pending p = backlog_.front();
        backlog_.pop_front();
        co_return p;
      }
      if (schedule_done_) co_return std::nullopt;
      idle_.push_back(&c);
      c.wake.expires_at(Clock::time_point::max());
      beast::error_code ec;
      co_await c.wake.async_wait(asio::redirect_error(use_awaitable, ec));
    }
  }

  awaitable<void> Serve() {
    Connection c(io_.get_executor());
    while (auto pending = co_await Take(c)) {
      PreparedTarget& target = targets_[pending->target];
      beast::error_code ec;
      if (c.target == pending->target && ClosedWhileIdle(c)) {
        c.stream.socket().close(ec);
        c.target = -1;
      }
      if (c.target != pending->target) {
        if (c.target >= 0) c.stream.socket().close(ec);
        c.stream.expires_after(target.timeout);
        co_await c.stream.async_connect(target.endpoint, asio::redirect_error(use_awaitable, ec));
        if (ec) {
          ++stats_.errors_connect;
          Count(false, ErrorKind::kConnect);
          CountSpans(target, ErrorKind::kConnect, 0);
          c.stream.socket().close(ec);
          c.target = -1;
          continue;
        }
        c.target = pending->target;
        c.buffer.clear();
      }
      const auto sent_at = Clock::now();
      last_send_ = std::max(last_send_, sent_at);
      ++stats_.sent;
      c.stream.expires_after(target.timeout);
      if (target.spans) {
        const std::string& body = target.spans->Renew();
        const std::string length = fmt::format("Content-Length: {}\r\n\r\n", body.size());
        const std::array<asio::const_buffer, 3> buffers = {
            asio::buffer(target.head), asio::buffer(length), asio::buffer(body)};
        co_await asio::async_write(c.stream, buffers, asio::redirect_error(use_awaitable, ec));
      } else if (target.fresh_traceparent) {
        const std::string traceparent = FreshTraceparent();
        const std::array<asio::const_buffer, 3> buffers = {
            asio::buffer(target.head), asio::buffer(traceparent), asio::buffer(target.rest)};
        co_await asio::async_write(c.stream, buffers, asio::redirect_error(use_awaitable, ec));
      } else {
        co_await asio::async_write(c.stream, asio::buffer(target.head),
                                   asio::redirect_error(use_awaitable, ec));
      }
      if (!ec) {
        c.response = {};
        co_await http::async_read(c.stream, c.buffer, c.response,
                                  asio::redirect_error(use_awaitable, ec));
      }
      if (ec) {
        const ErrorKind kind = ClassifyError(ec, stats_);
        Count(false, kind);
        CountSpans(target, kind, 0);
        c.stream.socket().close(ec);
        c.target = -1;
        continue;
      }
      const auto done = Clock::now();
      c.answered = done;
      const unsigned status = c.response.result_int();
      ++stats_.by_status[status];
      const bool ok = status >= 200 && status < 300;
      if (ok) ++stats_.ok;
      const auto corrected_ns =
          static_cast<std::uint64_t>(std::max<std::int64_t>(0, (done - pending->intended).count()));
      stats_.corrected.Record(corrected_ns);
      if (options_.keep_latencies) stats_.latencies_ns.push_back(corrected_ns);
      if (progress_) interval_.Record(corrected_ns);
      stats_.uncorrected.Record(
          static_cast<std::uint64_t>(std::max<std::int64_t>(0, (done - sent_at).count())));
      Count(ok, ErrorKind::kNone);
      CountSpans(target, ErrorKind::kNone, status);
      if (!c.response.keep_alive()) {
        c.stream.socket().close(ec);
        c.target = -1;
      }
      if (!options_.closed_loop && open_connections_ > cap_) break;  // the phase allows fewer
    }
    --open_connections_;
    if (open_connections_ == 0 && schedule_done_) progress_timer_.cancel();
  }

  // "traceparent: 00-<new trace id>-<new span id>-01\r\n", the trace id kept in the stats.
  std::string FreshTraceparent() {
    TraceId trace;
    SpanId span;
    do {
      for (std::size_t i = 0; i < TraceId::kSize; i += 8) {
        const std::uint64_t v = ids_();
        std::memcpy(trace.bytes.data() + i, &v, 8);
      }
    } while (!trace.IsValid());
    do {
      const std::uint64_t v = ids_();
      std::memcpy(span.bytes.data(), &v, 8);
    } while (!span.IsValid());
    stats_.started_traces.push_back(trace);
    return fmt::format("traceparent: 00-{}-{}-01\r\n", trace.Hex(), span.Hex());
  }

  // Span load: the spans of one request the generator tried to send, by how it ended.
  void CountSpans(const PreparedTarget& target, ErrorKind error, unsigned status) {
    if (!target.span_count) return;
    stats_.spans_sent += target.span_count;
    const char* kind = nullptr;
    switch (error) {
      case ErrorKind::kNone:
        if (status >= 200 && status < 300) {
          stats_.spans_acknowledged += target.span_count;
          return;
        }
        stats_.spans_failed["status " + std::to_string(status)] += target.span_count;
        return;
      case ErrorKind::kConnect:
        kind = "connect";
        break;
      case ErrorKind::kTimeout:
        kind = "timeout";
        break;
      case ErrorKind::kReset:
        kind = "reset";
        break;
      case ErrorKind::kOther:
        kind = "other";
        break;
    }
    stats_.spans_failed[kind] += target.span_count;
  }

  void Count(bool ok, ErrorKind error) {
    if (!progress_) return;
    constexpr auto kRelaxed = std::memory_order_relaxed;
    // A request that never connected was not sent (as LoadStats::sent): the per-second series
    // adds up to it.
    if (error != ErrorKind::kConnect) progress_->sent.fetch_add(1, kRelaxed);
    if (ok) progress_->ok.fetch_add(1, kRelaxed);
    if (error != ErrorKind::kNone) progress_->errors.fetch_add(1, kRelaxed);
    switch (error) {
      case ErrorKind::kNone:
        if (!ok) progress_->not_2xx.fetch_add(1, kRelaxed);
        break;
      case ErrorKind::kConnect:
        progress_->errors_connect.fetch_add(1, kRelaxed);
        break;
      case ErrorKind::kTimeout:
        progress_->errors_timeout.fetch_add(1, kRelaxed);
        break;
      case ErrorKind::kReset:
        progress_->errors_reset.fetch_add(1, kRelaxed);
        break;
      case ErrorKind::kOther:
        progress_->errors_other.fetch_add(1, kRelaxed);
        break;
    }
  }

  void PublishInterval() {
    if (!progress_ || interval_.TotalCount() == 0) return;
    progress_->AddInterval(interval_);
    interval_.Reset();
  }

  // Publishes this worker's p99 and, on stop, wakes the scheduler and idle connections so the
  // run ends promptly even at a slow arrival rate.
  awaitable<void> Progress() {
    int ticks = 0;
    while (!(schedule_done_ && open_connections_ == 0)) {
      progress_timer_.expires_after(std::chrono::milliseconds(100));
      beast::error_code ec;
      co_await progress_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
      if (Stopping()) {
        schedule_timer_.cancel();
        for (Connection* c : idle_) c->wake.cancel();
        idle_.clear();
      }
      PublishInterval();
      if (++ticks % 5 != 0) continue;
      if (progress_ && stats_.corrected.TotalCount() > 0) {
        const std::uint64_t p99 = stats_.corrected.ValueAtPercentile(99);
        std::uint64_t seen = progress_->p99_corrected_ns.load(std::memory_order_relaxed);
        while (p99 > seen && !progress_->p99_corrected_ns.compare_exchange_weak(seen, p99)) {
        }
      }
    }
  }

  const OpenLoopOptions& options_;
  int max_connections_;  // closed loop; open loop: each target's share, `cap_` of the current one
  int cap_ = 1;
  OpenLoopProgress* progress_;
  const std::atomic<bool>* stop_;
  asio::io_context io_{1};
  ArrivalSchedule schedule_;
  std::vector<PreparedTarget> targets_;
  std::deque<Pending> backlog_;
  std::vector<Connection*> idle_;
  int open_connections_ = 0;
  bool schedule_done_ = false;
  asio::steady_timer schedule_timer_{io_};
  asio::steady_timer progress_timer_{io_};
  Clock::time_point start_;
  Clock::time_point last_send_{};
  Clock::time_point closed_loop_until_;
  LoadStats stats_;
  Histogram interval_;  // corrected latency since the last PublishInterval
  // Trace and span ids of fresh traceparents: seeded by the OS, so two runs (or two generators
  // feeding one Collector) never start the same trace.
  std::mt19937_64 ids_{std::random_device{}()};
};

}  // namespace

Histogram OpenLoopProgress::TakeInterval() {
  Histogram taken;
  std::lock_guard lock(interval_mu_);
  std::swap(taken, interval_);
  return taken;
}

void OpenLoopProgress::AddInterval(const Histogram& answers) {
  std::lock_guard lock(interval_mu_);
  interval_.Merge(answers);
}

LoadStats RunOpenLoop(const OpenLoopOptions& given, OpenLoopProgress* progress,
                      const std::atomic<bool>* stop) {
  OpenLoopOptions options = given;
  if (!options.id_seed) options.id_seed = DrawSeed();
  const int threads = std::max(1, options.threads);
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < threads; ++i) {
    workers.push_back(std::make_unique<Worker>(options, i, ShareOf(options.connections, threads, i),
                                               progress, stop));
  }
  std::vector<LoadStats> results(threads);
  // A common start a little ahead, so every worker's first arrival is on time.
  const auto start = Clock::now() + std::chrono::milliseconds(5);
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i)
    pool.emplace_back([&, i] { results[i] = workers[i]->Run(start); });
  for (auto& t : pool) t.join();

  LoadStats total;
  Clock::duration window{};
  double expected = 0;
  for (const auto& p : options.phases) {
    window += p.duration;
    expected += p.ExpectedCount();
  }
  for (const auto& r : results) AddLoadStats(total, r);
  // A generator that keeps up sends its last request at the end of the window; one that falls
  // behind sends it later, and the achieved rate (sent / duration) shows the shortfall.
  total.duration_s = std::chrono::duration<double>(window).count();
  for (const auto& r : results) total.duration_s = std::max(total.duration_s, r.duration_s);
  const double window_s = std::chrono::duration<double>(window).count();
  // A shard is asked for its share of the schedule; a merge of all shards adds the rates back.
  total.target_rate_per_s = window_s > 0 ? expected / window_s / std::max(1, options.shards) : 0;
  return total;
}

}  // namespace traceproof
