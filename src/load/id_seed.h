// Where a sender's trace and span ids come from: a seed of its own, drawn from the OS's
// entropy mixed with the process id and the clock, so two senders started at the same moment
// (two `traceproof bench send`, two shards, a bench's trials) never send the same ids. A seed
// given on purpose (`--seed`) makes a sender repeat itself, for a benchmark that wants the same
// bytes; nothing else may. The sources are injected so a test can hold the clock and the pid
// still. Stateless functions; any thread.
#pragma once

#include <cstdint>
#include <functional>

namespace traceproof {

struct SeedSources {
  std::function<std::uint64_t()> entropy;   // std::random_device
  std::function<std::uint64_t()> pid;       // getpid()
  std::function<std::uint64_t()> clock_ns;  // system clock, nanoseconds since the epoch
};
SeedSources SystemSeedSources();

// A seed no other sender drew: every source mixed in, so one weak source (a random_device
// that is deterministic on some platform, two processes in one clock tick) is not enough to
// collide.
std::uint64_t DrawSeed(const SeedSources& sources = SystemSeedSources());

// The seed of one stream (a connection, a trial, a thread) of a sender seeded with `seed`:
// distinct streams of one seed, and the same stream of distinct seeds, do not repeat each other.
std::uint64_t StreamSeed(std::uint64_t seed, std::uint64_t stream);

}  // namespace traceproof
