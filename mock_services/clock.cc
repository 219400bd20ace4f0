#include "mock_services/clock.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace traceproof::mock {

boost::asio::awaitable<void> SteadyClock::Sleep(std::chrono::nanoseconds duration) {
  if (duration.count() <= 0) co_return;
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  timer.expires_after(duration);
  boost::system::error_code ec;  // cancelled: the io_context is going away
  co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

}  // namespace traceproof::mock
