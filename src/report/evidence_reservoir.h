// The traces a run keeps whole to show, whatever its length and whatever `--traces` wrote to
// disk: the slowest N (by root duration), the first N that look failing (an ERROR span, an
// orphan, no or several roots: TraceLooksFailing), and a uniform sample of N of all (reservoir
// sampling, seeded, so one run's recorded traces give one sample). A long `--no-traces` run
// still has evidence.jsonl to look at; memory is at most the three N traces. Fed every trace
// record in completion order (run's on_trace; update records are late spans only, and not
// kept); not thread-safe: the sweeper thread feeds it, the run reads it once it has stopped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "store/trace.h"

namespace traceproof {

struct EvidenceOptions {
  std::size_t slowest = 10;
  std::size_t failing = 20;
  std::size_t sample = 20;
  std::uint64_t seed = 1;
};

class EvidenceReservoir {
 public:
  explicit EvidenceReservoir(EvidenceOptions options = {});

  void Add(const Trace& trace);  // copied (its span views and buffers) only when kept
  // Every trace kept, each once, in the order it completed.
  std::vector<std::shared_ptr<const Trace>> Kept() const;
  std::size_t seen() const { return seen_; }

 private:
  struct Entry {
    std::uint64_t order = 0;  // completion order over the run
    std::shared_ptr<const Trace> trace;
  };
  // Whether a trace this long belongs among the slowest N; KeepSlow then puts it there.
  bool SlowEnough(std::int64_t duration_ns) const;
  void KeepSlow(std::int64_t duration_ns, Entry entry);

  EvidenceOptions options_;
  // Min-heap by duration: the fastest of the slowest N on top, replaced by a slower one.
  std::vector<std::pair<std::int64_t, Entry>> slowest_;
  std::vector<Entry> failing_;
  std::vector<Entry> sample_;
  std::mt19937_64 random_;
  std::uint64_t seen_ = 0;
};

}  // namespace traceproof
