// Time as the mock services see it: a steady clock for fault windows and a timer for every wait
// a step or fault makes (latencies, holds, batch waits, outage windows). The runtime uses
// SteadyClock (std::chrono::steady_clock and Boost.Asio timers); a test injects a clock it
// advances by hand, so a 30 s timeout or a fault window is checked without waiting for it.
// Sleep runs on the caller's executor (the request's io_context). SteadyClock is stateless and
// thread-safe; a fake says what it allows.
#pragma once

// clang-format off: must come before any Boost.Asio header
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <chrono>

namespace traceproof::mock {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  // Resumes `duration` later (at once when it is zero or negative).
  virtual boost::asio::awaitable<void> Sleep(std::chrono::nanoseconds duration) = 0;
};

class SteadyClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  boost::asio::awaitable<void> Sleep(std::chrono::nanoseconds duration) override;
};

}  // namespace traceproof::mock
