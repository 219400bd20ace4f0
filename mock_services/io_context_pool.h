// The service threads: one io_context per thread, each run by that thread alone, so a request's
// coroutines, its calls and their sockets stay on one thread: no strands and few cross-thread
// wake-ups. (With one context shared by the threads, perf put strand and any_executor
// bookkeeping plus futex wake-ups at ~20 % of the services' CPU; this cut a run's CPU by ~18 %.)
// Connections and queue deliveries are dealt to the contexts round-robin (Next); the acceptors,
// queue callbacks and fault timers live on the first one (Home).
// Run, Stop and Destroy from the owning thread; Home and Next from any thread until Destroy.
#pragma once

// clang-format off: must come before any Boost.Asio header
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>
#include <vector>

namespace traceproof::mock {

class IoContextPool {
 public:
  explicit IoContextPool(int threads);  // at least one
  ~IoContextPool();                     // Stop()
  IoContextPool(const IoContextPool&) = delete;
  IoContextPool& operator=(const IoContextPool&) = delete;

  boost::asio::io_context& Home() { return *contexts_.front(); }
  boost::asio::io_context& Next() {
    return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
  }

  // One thread per context, each running it until Stop(): a context starts with no work of its
  // own (connections are dealt to it), and a broker's consumer thread posts deliveries (a
  // redelivery after a nack or a broker restart) at any time, even once the acceptors closed.
  void Run();
  void Stop();  // stops every context and joins its thread; idempotent
  // Destroys the contexts, and with them every coroutine still parked on one (an idle
  // keep-alive session, a request past the deadline). Home and Next are invalid afterwards.
  void Destroy();
  bool destroyed() const { return contexts_.empty(); }

 private:
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::atomic<std::size_t> next_{0};
  std::vector<std::thread> threads_;
};

}  // namespace traceproof::mock
