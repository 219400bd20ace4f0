// What reached a mock service, per inbound HTTP request and per consumed message: the trace
// context it carried (none, malformed, or a valid trace id + parent span id + sampled flag),
// whether the load generator or one of our mocks sent it (the harness headers), and who the
// graph allows to call it. Ground truth (ground_truth.h) knows what our mocks emitted; these
// witness records let the propagation check judge a hop out of code we did not write (an
// external service or the user's app between two mocks), where the harness headers do not
// survive. Plain data, recorded through GroundTruthSink::RecordInbound from service threads;
// AllowedCallers is shared, immutable once made, by every record of its route or queue.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "otlp/ids.h"

namespace traceproof {

// The load generator's marker on every request it sends (the value is "1"). Here, below both
// the load generator and the mock services, so both spell it the same.
inline constexpr std::string_view kLoadMarkerHeader = "x-traceproof-load";

// Who may send a route or queue its requests or messages, from the service graph.
struct AllowedCallers {
  std::vector<std::string> mocks;  // our mocks whose call or publish steps target it
  // External and app services whose `calls:` name it, and those that declare no `calls:`.
  std::vector<std::string> outside;
  std::vector<std::string> apps;  // of `outside`, those the run starts (`app:`), not `external:`
};

struct InboundContext {
  enum class State { kNone, kMalformed, kValid };
  State state = State::kNone;
  std::string raw;  // kMalformed: the traceparent as it arrived, cut at kMaxRawBytes
  TraceId trace_id;
  SpanId parent_span_id;
  bool sampled = false;

  static constexpr std::size_t kMaxRawBytes = 64;
};

struct InboundRecord {
  enum class Kind { kHttp, kMessage };
  Kind kind = Kind::kHttp;
  std::string service;
  std::string target;  // "POST /charge" for HTTP, the queue's name for a message
  InboundContext context;
  bool from_load = false;  // the load generator's marker was there
  // The harness' expected-parent header was there: one of our mocks sent it (or an app passed
  // the harness headers on), so ground truth judges this hop and the witness stays silent.
  bool from_mock = false;
  std::uint64_t request_id = 0;     // the id the mock's spans were recorded under
  bool request_id_carried = false;  // it came in the harness header (else the mock made it up)
  TraceId span_trace_id;            // the trace the mock's own span went into (zero: none)
  std::shared_ptr<const AllowedCallers> callers;  // null: nobody known
  std::uint64_t time_unix_ns = 0;                 // when it arrived (system clock)
};

std::string_view InboundStateName(InboundContext::State state);

// One JSON object, for `serve --truth` lines and the admin endpoint (GET /inbound).
std::string InboundToJson(const InboundRecord& record);
// The inverse; nullopt with `error` set for a line InboundToJson did not write.
std::optional<InboundRecord> InboundFromJson(std::string_view line, std::string& error);

}  // namespace traceproof
