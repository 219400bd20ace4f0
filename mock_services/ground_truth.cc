#include "mock_services/ground_truth.h"

#include <nlohmann/json.hpp>

namespace traceproof::mock {

void GroundTruthRecorder::Record(GroundTruthSpan span) noexcept {
  std::lock_guard lock(mu_);
  spans_.push_back(std::move(span));
}

std::vector<GroundTruthSpan> GroundTruthRecorder::Snapshot() const {
  std::lock_guard lock(mu_);
  return spans_;
}

std::size_t GroundTruthRecorder::size() const {
  std::lock_guard lock(mu_);
  return spans_.size();
}

std::string GroundTruthToJson(const GroundTruthSpan& s) {
  nlohmann::json j = {
      {"request_id", s.request_id},
      {"trace_id", s.trace_id.Hex()},
      {"span_id", s.span_id.Hex()},
      {"parent_span_id", s.parent_span_id.IsValid() ? s.parent_span_id.Hex() : ""},
      {"expected_parent_span_id",
       s.expected_parent_span_id.IsValid() ? s.expected_parent_span_id.Hex() : ""},
      {"service", s.service},
      {"name", s.name},
      {"kind", std::string(SpanKindName(s.kind))},
      {"sampled", s.sampled},
      {"exported", s.exported},
      {"status", std::string(StatusCodeName(s.status))},
      {"start_time_unix_nano", s.start_unix_ns},
      {"end_time_unix_nano", s.end_unix_ns},
      {"faults", s.faults},
  };
  if (!s.queue.empty()) {
    j["queue"] = s.queue;
    if (s.linked_span_id.IsValid()) j["linked_span_id"] = s.linked_span_id.Hex();
    if (s.redelivered) j["redelivered"] = true;
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

GroundTruthJsonlWriter::GroundTruthJsonlWriter(const std::string& path)
    : out_(path, std::ios::trunc) {}

void GroundTruthJsonlWriter::Record(GroundTruthSpan span) noexcept {
  std::string line = GroundTruthToJson(span);
  std::lock_guard lock(mu_);
  out_ << line << '\n';
}

void GroundTruthJsonlWriter::Flush() {
  std::lock_guard lock(mu_);
  out_.flush();
}

}  // namespace traceproof::mock
