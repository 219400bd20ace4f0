#include "truth/ground_truth.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "otlp/json_writer.h"

namespace traceproof {

void GroundTruthRecorder::Record(GroundTruthSpan span) noexcept {
  std::lock_guard lock(mu_);
  spans_.push_back(std::move(span));
}

void GroundTruthRecorder::RecordInbound(InboundRecord record) noexcept {
  std::lock_guard lock(inbound_mu_);
  inbound_.push_back(std::move(record));
}

std::vector<InboundRecord> GroundTruthRecorder::InboundSnapshot() const {
  std::lock_guard lock(inbound_mu_);
  return inbound_;
}

std::vector<GroundTruthSpan> GroundTruthRecorder::Snapshot() const {
  std::lock_guard lock(mu_);
  return {spans_.begin(), spans_.end()};
}

std::vector<GroundTruthSpan> GroundTruthRecorder::Take() {
  std::lock_guard lock(mu_);
  std::vector<GroundTruthSpan> out(std::make_move_iterator(spans_.begin()),
                                   std::make_move_iterator(spans_.end()));
  forgotten_ += spans_.size();
  spans_.clear();
  return out;
}

std::vector<GroundTruthSpan> GroundTruthRecorder::CopyFrom(std::size_t from) const {
  std::lock_guard lock(mu_);
  const std::size_t begin = from > forgotten_ ? from - forgotten_ : 0;
  if (begin >= spans_.size()) return {};
  return {spans_.begin() + static_cast<std::ptrdiff_t>(begin), spans_.end()};
}

void GroundTruthRecorder::Forget(std::size_t position) {
  std::lock_guard lock(mu_);
  while (forgotten_ < position && !spans_.empty()) {
    spans_.pop_front();
    ++forgotten_;
  }
}

std::size_t GroundTruthRecorder::held() const {
  std::lock_guard lock(mu_);
  return spans_.size();
}

std::vector<InboundRecord> GroundTruthRecorder::TakeInbound() {
  std::lock_guard lock(inbound_mu_);
  return std::exchange(inbound_, {});
}

std::size_t GroundTruthRecorder::size() const {
  std::lock_guard lock(mu_);
  return forgotten_ + spans_.size();
}

void GroundTruthRecorder::Visit(
    std::size_t from, std::size_t to,
    const std::function<void(std::size_t, const GroundTruthSpan&)>& visit) const {
  std::lock_guard lock(mu_);
  const std::size_t end = std::min(to, forgotten_ + spans_.size());
  for (std::size_t i = std::max(from, forgotten_); i < end; ++i) visit(i, spans_[i - forgotten_]);
}

namespace {

std::string HexOrEmpty(const SpanId& id) { return id.IsValid() ? id.Hex() : std::string(); }

void WriteBatch(JsonWriter& w, const std::vector<BatchMessage>& batch) {
  w.Key("batch");
  w.BeginArray();
  for (const BatchMessage& m : batch) {
    w.BeginObject();
    w.Member("linked_span_id", HexOrEmpty(m.linked_span_id));
    if (m.nacked) w.BoolMember("nacked", true);
    w.Member("producer_span_id", m.producer_span_id.Hex());
    if (m.redelivered) w.BoolMember("redelivered", true);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

// Keys in byte order, as nlohmann writes an object (the test compares the two).
std::string GroundTruthToJson(const GroundTruthSpan& s) {
  std::string out;
  out.reserve(512);
  JsonWriter w(out);
  const bool queue = !s.queue.empty();
  w.BeginObject();
  if (queue && !s.batch.empty()) WriteBatch(w, s.batch);
  w.Member("end_time_unix_nano", s.end_unix_ns);
  w.Member("expected_parent_span_id", HexOrEmpty(s.expected_parent_span_id));
  w.BoolMember("exported", s.exported);
  w.Member("faults", s.faults);
  w.Member("kind", SpanKindName(s.kind));
  if (queue && s.linked_span_id.IsValid()) w.Member("linked_span_id", s.linked_span_id.Hex());
  if (queue && s.nacked) w.BoolMember("nacked", true);
  w.Member("name", s.name);
  w.Member("parent_span_id", HexOrEmpty(s.parent_span_id));
  if (queue) w.Member("queue", s.queue);
  if (queue && s.redelivered) w.BoolMember("redelivered", true);
  w.Member("request_id", s.request_id);
  w.BoolMember("sampled", s.sampled);
  w.Member("service", s.service);
  w.Member("span_id", s.span_id.Hex());
  w.Member("start_time_unix_nano", s.start_unix_ns);
  w.Member("status", StatusCodeName(s.status));
  w.Member("trace_id", s.trace_id.Hex());
  w.EndObject();
  return out;
}

std::optional<GroundTruthSpan> GroundTruthFromJson(std::string_view line, std::string& error) {
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "not a JSON object";
    return std::nullopt;
  }
  GroundTruthSpan s;
  try {
    s.request_id = j.at("request_id").get<std::uint64_t>();
    const auto trace_id = TraceId::FromHex(j.at("trace_id").get<std::string>());
    const auto span_id = SpanId::FromHex(j.at("span_id").get<std::string>());
    if (!trace_id || !span_id) {
      error = "trace_id or span_id is not hex of the right length";
      return std::nullopt;
    }
    s.trace_id = *trace_id;
    s.span_id = *span_id;
    // An absent or empty id (a root, no expected parent, headers lost) stays all zero; one
    // that is there but not an id is an error naming the field, never read as "no parent".
    auto optional_id = [&](const nlohmann::json& from, const char* key, SpanId& out) {
      const auto it = from.find(key);
      if (it == from.end() || (it->is_string() && it->get<std::string>().empty())) return true;
      const auto id = it->is_string() ? SpanId::FromHex(it->get<std::string>()) : std::nullopt;
      if (!id) error = std::string(key) + " is not 16 hex digits";
      if (id) out = *id;
      return id.has_value();
    };
    if (!optional_id(j, "parent_span_id", s.parent_span_id) ||
        !optional_id(j, "expected_parent_span_id", s.expected_parent_span_id) ||
        !optional_id(j, "linked_span_id", s.linked_span_id))
      return std::nullopt;
    s.service = j.at("service").get<std::string>();
    s.name = j.at("name").get<std::string>();
    const std::string kind = j.at("kind").get<std::string>();
    for (SpanKind k : {SpanKind::kInternal, SpanKind::kServer, SpanKind::kClient,
                       SpanKind::kProducer, SpanKind::kConsumer})
      if (SpanKindName(k) == kind) s.kind = k;
    s.sampled = j.at("sampled").get<bool>();
    s.exported = j.at("exported").get<bool>();
    const std::string status = j.at("status").get<std::string>();
    for (StatusCode c : {StatusCode::kOk, StatusCode::kError})
      if (StatusCodeName(c) == status) s.status = c;
    s.start_unix_ns = j.at("start_time_unix_nano").get<std::uint64_t>();
    s.end_unix_ns = j.at("end_time_unix_nano").get<std::uint64_t>();
    s.faults = j.at("faults").get<std::vector<std::string>>();
    s.queue = j.value("queue", std::string());
    s.redelivered = j.value("redelivered", false);
    s.nacked = j.value("nacked", false);
    if (const auto batch = j.find("batch"); batch != j.end()) {
      for (const nlohmann::json& e : batch->get<std::vector<nlohmann::json>>()) {
        BatchMessage m;
        if (!e.contains("producer_span_id")) {
          error = "batch message without producer_span_id";
          return std::nullopt;
        }
        if (!optional_id(e, "producer_span_id", m.producer_span_id) ||
            !optional_id(e, "linked_span_id", m.linked_span_id))
          return std::nullopt;
        m.redelivered = e.value("redelivered", false);
        m.nacked = e.value("nacked", false);
        s.batch.push_back(m);
      }
    }
  } catch (const nlohmann::json::exception& e) {
    error = e.what();
    return std::nullopt;
  }
  return s;
}

GroundTruthJsonlWriter::GroundTruthJsonlWriter(const std::string& path)
    : out_(path, std::ios::trunc) {}

void GroundTruthJsonlWriter::Record(GroundTruthSpan span) noexcept {
  std::string line = GroundTruthToJson(span);
  std::lock_guard lock(mu_);
  out_ << line << '\n';
}

void GroundTruthJsonlWriter::RecordInbound(InboundRecord record) noexcept {
  std::string line = InboundToJson(record);
  std::lock_guard lock(mu_);
  out_ << line << '\n';
}

void GroundTruthJsonlWriter::Flush() {
  std::lock_guard lock(mu_);
  out_.flush();
}

}  // namespace traceproof
