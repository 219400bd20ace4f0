#include "load/fresh_id_batch.h"

#include <cstring>
#include <map>

namespace traceproof {

FreshIdBatch::FreshIdBatch(const SyntheticSpanOptions& options, std::uint64_t sender_id)
    : sender_id_(sender_id), spans_(options.spans) {
  auto request = MakeSyntheticRequest(options);
  bytes_ = request.SerializeAsString();
  std::map<std::string, std::vector<std::size_t>> by_id;
  for (const auto& rs : request.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) {
      for (const auto& span : ss.spans()) by_id[span.trace_id()];
    }
  }
  // Field 1 of Span, length 16: tag 0x0a 0x10 then the id. Random 16-byte ids do not recur
  // by accident in ~250 KB, and every occurrence found is an id we put there.
  for (auto& [id, offsets] : by_id) {
    const std::string needle = std::string("\x0a\x10", 2) + id;
    for (std::size_t pos = bytes_.find(needle); pos != std::string::npos;
         pos = bytes_.find(needle, pos + 1)) {
      offsets.push_back(pos + 2);
    }
    trace_id_offsets_.push_back(std::move(offsets));
  }
}

const std::string& FreshIdBatch::Renew() {
  for (const auto& offsets : trace_id_offsets_) {
    ++counter_;
    for (std::size_t off : offsets) {
      std::memcpy(bytes_.data() + off, &sender_id_, 8);
      std::memcpy(bytes_.data() + off + 8, &counter_, 8);
    }
  }
  return bytes_;
}

}  // namespace traceproof
