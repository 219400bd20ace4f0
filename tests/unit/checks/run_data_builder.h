// Hand-built RunData for check tests: spans described in a few chained calls, encoded as real
// OTLP protobuf and decoded by the sink's decoder (so selectors read attributes exactly as in a
// run), assembled into Traces, with the ground truth the mock services would have recorded.
// Not thread-safe; one builder per test.
//
//   RunDataBuilder b;
//   b.NewTrace();
//   int root = b.Span("gateway", "GET /").Kind(SpanKind::kServer).Times(0, 100);
//   b.Span("orders", "charge").Parent(root).Times(10, 60).Attr("user.id", "u1");
//   RunData data = b.Build();
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "checks/run_data.h"

namespace traceproof::testing {

class RunDataBuilder {
 public:
  using AttrValue = std::variant<std::string, std::int64_t, bool, double>;

  struct SpanSpec {
    int id = 0;     // span number, 1-based, unique over the run
    int trace = 0;  // trace number, 1-based
    std::uint64_t request_id = 0;
    std::string service, name;
    SpanKind kind = SpanKind::kInternal;
    StatusCode status = StatusCode::kUnset;
    std::uint64_t start_ns = 0, end_ns = 10'000'000;  // relative to kBaseNs
    int parent = 0;                                   // span number; 0: a root
    std::optional<int> expected_parent;               // default: parent
    bool sampled = true;
    bool exported = true;
    bool in_sink = true;  // exported but lost on the way when false
    std::string trace_state;
    std::vector<std::string> faults;
    std::vector<std::pair<std::string, AttrValue>> attributes;
  };

  // Chained setters on the span just added; converts to its span number.
  class SpanRef {
   public:
    SpanRef(RunDataBuilder& b, std::size_t index) : b_(b), index_(index) {}
    SpanRef& Kind(SpanKind kind);
    SpanRef& Status(StatusCode status);
    SpanRef& Times(double start_ms, double end_ms);  // relative to the run's base time
    SpanRef& TimesNs(std::uint64_t start_ns, std::uint64_t end_ns);
    SpanRef& Parent(int span);
    SpanRef& ExpectedParent(int span);  // where propagation should have put it
    SpanRef& NotSampled();              // head sampler said no: neither exported nor in the sink
    SpanRef& Lost();                    // exported, but never reached the sink
    SpanRef& TraceState(std::string state);
    SpanRef& Fault(std::string fault);
    SpanRef& Attr(std::string key, AttrValue value);
    SpanRef& Attr(std::string key, const char* value) {
      return Attr(std::move(key), std::string(value));
    }
    int Id() const;
    operator int() const { return Id(); }  // NOLINT: `int root = b.Span(...)...;` reads well

   private:
    SpanSpec& spec();
    RunDataBuilder& b_;
    std::size_t index_;
  };

  static constexpr std::uint64_t kBaseNs = 1'700'000'000'000'000'000ULL;

  // Starts a trace; spans added next belong to it. Each trace is its own load request unless
  // `request_id` names one shared with an earlier trace (a request broken into two traces).
  int NewTrace(std::optional<std::uint64_t> request_id = std::nullopt);
  // A span in the current trace; an empty service means no service.name resource attribute.
  SpanRef Span(std::string service, std::string name);

  static TraceId TraceIdOf(int trace);
  static SpanId SpanIdOf(int span);
  std::uint64_t RequestIdOf(int trace) const;

  // The run: traces (only those with spans in the sink), ground truth of every span.
  RunData Build() const;

 private:
  std::vector<SpanSpec> spans_;
  std::vector<std::uint64_t> request_of_trace_;  // by trace number - 1
};

}  // namespace traceproof::testing
