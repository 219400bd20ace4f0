#include "checks/tracestate.h"

#include <optional>

#include "checks/check_util.h"
#include "otlp/span_details.h"
#include "store/trace_shape.h"

namespace traceproof::checks {

void CountTracestate(const Trace& t, TracestateCount& count) {
  if (t.IsUpdate()) return;
  const TraceShape shape = AnalyzeTrace(t);
  std::vector<std::optional<std::string>> state(t.spans.size());
  auto state_of = [&](std::size_t i) -> const std::string& {
    if (!state[i]) {
      pb::Span span;
      const SpanView& v = t.spans[i];
      state[i] = span.ParseFromArray(v.raw.data(), static_cast<int>(v.raw.size()))
                     ? span.trace_state()
                     : std::string();
    }
    return *state[i];
  };
  for (std::size_t i = 0; i < t.spans.size(); ++i) {
    const std::size_t p = shape.parent[i];
    if (p == TraceShape::kNone || state_of(p).empty()) continue;
    ++count.edges;
    if (state_of(i).empty()) {
      ++count.lost;
      AddEvidence(count.evidence, t.id);
    }
  }
}

}  // namespace traceproof::checks
