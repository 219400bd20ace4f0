// Evidence that comes in any order but must read as if it were gathered in key order (request
// id, recording position): a check fed requests as they complete lists the same trace ids a
// check walking the whole run in order would. Keeps only the entries with the smallest keys
// that can still reach the list (AddEvidence's kMaxEvidence distinct ids), so it stays small
// however many arrive. Internal to the checks library; not thread-safe (one tally's).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "otlp/ids.h"

namespace traceproof::checks {

class KeyedEvidence {
 public:
  // `ids` in the order AddEvidence would have been called with them for this key.
  void Add(std::uint64_t key, std::vector<TraceId> ids);
  // The list AddEvidence would have built walking the keys in ascending order.
  std::vector<std::string> Ids() const;

 private:
  std::size_t DistinctWithoutLast() const;
  std::map<std::uint64_t, std::vector<TraceId>> entries_;
};

}  // namespace traceproof::checks
