#include "load/id_seed.h"

#include <unistd.h>

#include <chrono>
#include <random>

namespace traceproof {
namespace {

// splitmix64's finalizer: every input bit moves every output bit.
std::uint64_t Mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace

SeedSources SystemSeedSources() {
  return SeedSources{
      .entropy =
          [] {
            std::random_device device;
            return (static_cast<std::uint64_t>(device()) << 32) ^ device();
          },
      .pid = [] { return static_cast<std::uint64_t>(::getpid()); },
      .clock_ns =
          [] {
            return static_cast<std::uint64_t>(
                std::chrono::system_clock::now().time_since_epoch().count());
          },
  };
}

std::uint64_t DrawSeed(const SeedSources& sources) {
  std::uint64_t seed = Mix(sources.entropy());
  seed = Mix(seed ^ sources.pid());
  seed = Mix(seed ^ sources.clock_ns());
  return seed;
}

std::uint64_t StreamSeed(std::uint64_t seed, std::uint64_t stream) {
  return Mix(Mix(seed) ^ Mix(stream + 0x632BE59BD9B4E019ULL));
}

}  // namespace traceproof
