#include "mock_services/io_context_pool.h"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>

namespace traceproof::mock {

IoContextPool::IoContextPool(int threads) {
  for (int i = 0; i < std::max(1, threads); ++i)
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
}

IoContextPool::~IoContextPool() { Stop(); }

void IoContextPool::Run() {
  for (auto& context : contexts_) {
    threads_.emplace_back([ctx = context.get()] {
      auto busy = boost::asio::make_work_guard(*ctx);
      ctx->run();
    });
  }
}

void IoContextPool::Stop() {
  for (auto& context : contexts_) context->stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

void IoContextPool::Destroy() {
  Stop();
  contexts_.clear();
}

}  // namespace traceproof::mock
