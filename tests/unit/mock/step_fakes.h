// Test doubles for the seams a route handler's steps reach (step_context.h): a clock the test
// advances by hand, a seeded engine, an HTTP client that records calls and answers as scripted,
// and a queue that keeps what is published. All single-threaded: one test drives one io_context.
#pragma once

// clang-format off: must come before any Boost.Asio header
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "mock_services/clock.h"
#include "mock_services/http_client.h"
#include "mock_services/message_queue.h"
#include "mock_services/step_context.h"

namespace traceproof::mock::testing {

// Time stands still until Advance; a Sleep resumes once the clock has passed its deadline.
class ManualClock final : public Clock {
 public:
  TimePoint Now() const override { return now_; }

  boost::asio::awaitable<void> Sleep(std::chrono::nanoseconds duration) override {
    sleeps_.push_back(duration);
    if (duration.count() <= 0) co_return;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor,
                                    boost::asio::steady_timer::time_point::max());
    Sleeper sleeper{now_ + duration, &timer};
    sleepers_.push_back(&sleeper);
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    std::erase(sleepers_, &sleeper);
  }

  void AdvanceTo(TimePoint when) {
    now_ = std::max(now_, when);
    for (Sleeper* s : sleepers_)
      if (s->deadline <= now_) s->timer->cancel();
  }
  void Advance(std::chrono::nanoseconds by) { AdvanceTo(now_ + by); }

  // The earliest deadline of a Sleep still waiting, if any.
  std::optional<TimePoint> NextDeadline() const {
    std::optional<TimePoint> next;
    for (const Sleeper* s : sleepers_)
      if (s->deadline > now_ && (!next || s->deadline < *next)) next = s->deadline;
    return next;
  }
  // Every duration Sleep was asked for, in order.
  const std::vector<std::chrono::nanoseconds>& sleeps() const { return sleeps_; }
  std::size_t waiting() const { return sleepers_.size(); }

 private:
  struct Sleeper {
    TimePoint deadline;
    boost::asio::steady_timer* timer;
  };
  TimePoint now_ = TimePoint{} + std::chrono::hours(1);
  std::vector<Sleeper*> sleepers_;
  std::vector<std::chrono::nanoseconds> sleeps_;
};

class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed) : engine_(seed) {}
  std::mt19937_64& Engine() override { return engine_; }

 private:
  std::mt19937_64 engine_;
};

// Records each call (by the Host header: the service) and answers 200 unless told otherwise.
class FakeCallClient final : public CallClient {
 public:
  struct Seen {
    std::string service;
    HttpCallRequest request;
    std::optional<std::string> Header(std::string_view name) const {
      auto f = request.find(boost::beast::string_view(name.data(), name.size()));
      if (f == request.end()) return std::nullopt;
      return std::string(f->value());
    }
  };

  boost::asio::ip::tcp::endpoint Target(std::string_view service) const override {
    auto it = ports_.find(std::string(service));
    const std::uint16_t port = it == ports_.end() ? 9 : it->second;
    return {boost::asio::ip::make_address("127.0.0.1"), port};
  }
  boost::asio::awaitable<HttpCallResult> Call(boost::asio::ip::tcp::endpoint,
                                              HttpCallRequest request) override {
    const std::string service(request[boost::beast::http::field::host]);
    calls_.push_back({service, std::move(request)});
    auto it = answers_.find(service);
    co_return it == answers_.end() ? HttpCallResult{HttpCallResult::Error::kNone, 200, ""}
                                   : it->second;
  }

  void SetPort(const std::string& service, std::uint16_t port) { ports_[service] = port; }
  void Answer(const std::string& service, HttpCallResult result) { answers_[service] = result; }
  const std::vector<Seen>& calls() const { return calls_; }
  const Seen* CallTo(std::string_view service) const {
    for (const Seen& s : calls_)
      if (s.service == service) return &s;
    return nullptr;
  }

 private:
  std::map<std::string, std::uint16_t> ports_;
  std::map<std::string, HttpCallResult> answers_;
  std::vector<Seen> calls_;
};

// Keeps every published message; delivers nothing (tests hand messages to consumers).
class FakeQueue final : public MessageQueue {
 public:
  bool Publish(std::string_view queue, QueueMessage message) override {
    if (!accept_) return false;
    published_.push_back({std::string(queue), std::move(message)});
    return true;
  }
  void Subscribe(std::string_view, Handler) override {}
  std::string_view system() const override { return "fake"; }
  std::uint64_t published() const override { return published_.size(); }

  void SetAccepting(bool accept) { accept_ = accept; }
  struct Published {
    std::string queue;
    QueueMessage message;
  };
  const std::vector<Published>& messages() const { return published_; }

 private:
  bool accept_ = true;
  std::vector<Published> published_;
};

inline std::optional<std::string> HeaderOf(const QueueMessage& message, std::string_view name) {
  for (const auto& [k, v] : message.headers)
    if (k == name) return v;
  return std::nullopt;
}

}  // namespace traceproof::mock::testing
