// A serialized export request whose trace ids can be renewed in place, so a sender can send the
// same prepared bytes millions of times while every send brings new traces to the receiver
// (repeating ids would measure "late span" handling, not ingest). The offsets of every trace id
// occurrence are found once; Renew() overwrites each with the sender id (8 bytes) and a per-send
// counter (8 bytes). Give every sender its own sender id and `options.seed` (StreamSeed of a
// seed drawn by DrawSeed, load/id_seed.h): two senders with the same ones send the same ids.
// Not thread-safe: one per sending thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "load/synthetic_spans.h"

namespace traceproof {

class FreshIdBatch {
 public:
  explicit FreshIdBatch(const SyntheticSpanOptions& options, std::uint64_t sender_id = 0);

  // Gives every trace in the batch a trace id never used before by this sender id.
  const std::string& Renew();
  const std::string& bytes() const { return bytes_; }
  int spans() const { return spans_; }

 private:
  std::string bytes_;
  std::vector<std::vector<std::size_t>> trace_id_offsets_;  // per trace: where its id occurs
  std::uint64_t sender_id_;
  std::uint64_t counter_ = 0;
  int spans_;
};

}  // namespace traceproof
