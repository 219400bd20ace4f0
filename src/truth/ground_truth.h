// What the mock services actually did, per span, whether or not the span was sampled or ever
// reached a backend: the truth the checks compare the sink's traces against. Every span records
// the load request it belongs to (carried between services in x-traceproof-request-id, a
// harness-only header that survives when trace headers are dropped) and the parent it would
// have had if propagation had worked, so a broken trace can be blamed on a precise hop.
// The same sinks take the witness records of what reached each mock (inbound_record.h).
// GroundTruthSink implementations are called from service threads and must be thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "otlp/span_view.h"
#include "truth/inbound_record.h"

namespace traceproof {

// One message of a batch consumer span (a CONSUMER span that processed several messages).
struct BatchMessage {
  SpanId producer_span_id;  // where the message came from (harness header), as it should link
  SpanId linked_span_id;    // the producer context the span links to (zero: headers lost)
  bool redelivered = false;
  bool nacked = false;  // handed back for redelivery (nack_first) instead of acked
};

struct GroundTruthSpan {
  std::uint64_t request_id = 0;
  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;           // as emitted (zero for a root)
  SpanId expected_parent_span_id;  // as it should have been; differs where a fault broke it
  std::string service;
  std::string name;
  SpanKind kind = SpanKind::kInternal;
  bool sampled = false;   // the head sampler's decision
  bool exported = false;  // handed to the exporter (sampled and the service is instrumented)
  StatusCode status = StatusCode::kUnset;
  std::uint64_t start_unix_ns = 0;
  std::uint64_t end_unix_ns = 0;
  std::vector<std::string> faults;  // faults applied to this span, e.g. "drop_traceparent"
  // Queue spans (PRODUCER publish, CONSUMER process): the queue; a consumer that links to the
  // producer instead of being its child records the span it linked to.
  std::string queue;
  SpanId linked_span_id;
  bool redelivered = false;  // a consumer span for a message the broker delivered again
  bool nacked = false;       // its message was handed back for redelivery instead of acked
  // A batch consumer span: one entry per message it processed (its own expected parent,
  // linked_span_id, redelivered and nacked are then unset: it is a root by design).
  std::vector<BatchMessage> batch;
};

class GroundTruthSink {
 public:
  virtual ~GroundTruthSink() = default;
  virtual void Record(GroundTruthSpan span) noexcept = 0;
  // What reached a mock; a sink that keeps only spans ignores it.
  virtual void RecordInbound(InboundRecord /*record*/) noexcept {}
};

// In-process recorder, read by checks as the run goes (CopyFrom, then Forget what they hold) or
// after it (Take). A span's position is its place in the recording order since the start, and
// stays so after the spans before it were forgotten. Thread-safe.
class GroundTruthRecorder final : public GroundTruthSink {
 public:
  void Record(GroundTruthSpan span) noexcept override;
  void RecordInbound(InboundRecord record) noexcept override;
  std::vector<GroundTruthSpan> Snapshot() const;
  std::vector<InboundRecord> InboundSnapshot() const;
  // What was recorded (and not forgotten), moved out: the recorder is empty afterwards.
  std::vector<GroundTruthSpan> Take();
  std::vector<InboundRecord> TakeInbound();
  // Spans recorded so far, forgotten ones included: the position the next one will get.
  std::size_t size() const;
  // Copies of the spans at positions [from, size()) (those not forgotten), in recording order.
  std::vector<GroundTruthSpan> CopyFrom(std::size_t from) const;
  // Lets go of the spans at positions before `position`.
  void Forget(std::size_t position);
  // Spans held now (recorded, not forgotten).
  std::size_t held() const;
  // Calls `visit(position, span)` for the spans recorded at positions [from, to) (recording
  // order; forgotten ones skipped), under the lock: for a look at part of a run while it goes
  // on; keep `visit` short.
  void Visit(std::size_t from, std::size_t to,
             const std::function<void(std::size_t, const GroundTruthSpan&)>& visit) const;

 private:
  mutable std::mutex mu_;
  std::deque<GroundTruthSpan> spans_;
  std::size_t forgotten_ = 0;  // position of spans_.front()
  // Its own lock: a request records one of these and several spans, from different threads.
  mutable std::mutex inbound_mu_;
  std::vector<InboundRecord> inbound_;
};

// One JSON object per line, for checks in another process (`traceproof serve --truth FILE`):
// spans, and inbound records (the lines with "record": "inbound", InboundToJson).
// Thread-safe; lines are whole even under concurrency.
class GroundTruthJsonlWriter final : public GroundTruthSink {
 public:
  explicit GroundTruthJsonlWriter(const std::string& path);
  bool ok() const { return static_cast<bool>(out_); }
  void Record(GroundTruthSpan span) noexcept override;
  void RecordInbound(InboundRecord record) noexcept override;
  void Flush();

 private:
  std::mutex mu_;
  std::ofstream out_;
};

std::string GroundTruthToJson(const GroundTruthSpan& span);
// The inverse, for ground truth read back from another process (`serve --admin-port`);
// nullopt with `error` set for a line GroundTruthToJson did not write.
std::optional<GroundTruthSpan> GroundTruthFromJson(std::string_view line, std::string& error);

}  // namespace traceproof
