#include "mock_services/step_context.h"

namespace traceproof::mock {

std::mt19937_64& ThreadRandom::Engine() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

std::uint64_t NewRequestId(std::mt19937_64& rng) {
  std::uint64_t id;
  do id = rng();
  while (id == 0);
  return id;
}

}  // namespace traceproof::mock
