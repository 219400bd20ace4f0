#include "mock_services/tracked_span.h"

#include <fmt/format.h>

namespace traceproof::mock {

TrackedSpan StartSpan(const StepContext& ctx, const RequestState& st, std::string_view name,
                      SpanKind kind, const std::optional<SpanContext>& parent,
                      SpanId expected_parent) {
  TrackedSpan t;
  if (!ctx.service->tracing) return t;
  t.active = true;
  t.span.emplace(ctx.tracer->StartSpan(name, kind, parent));
  const SpanContext& span_ctx = t.span->context();
  t.truth.request_id = st.request_id;
  t.truth.trace_id = span_ctx.trace_id;
  t.truth.span_id = span_ctx.span_id;
  t.truth.parent_span_id = t.span->parent_span_id();
  t.truth.expected_parent_span_id = expected_parent;
  t.truth.service = ctx.service->name;
  t.truth.name = std::string(name);
  t.truth.kind = kind;
  t.truth.sampled = span_ctx.sampled();
  t.truth.exported = span_ctx.sampled() && ctx.exporting;
  t.truth.start_unix_ns = UnixNowNs();
  ctx.counters->spans_started.fetch_add(1, std::memory_order_relaxed);
  if (st.faults.Has(Fault::Kind::kHighCardinality)) {
    // The seed's warning: a user id (or a raw URL) as an attribute explodes the index.
    t.span->SetAttribute("user.id", fmt::format("user-{}", ctx.rng()()));
    t.truth.faults.push_back("high_cardinality");
  }
  if (st.faults.Has(Fault::Kind::kClockSkew)) t.truth.faults.push_back("clock_skew");
  return t;
}

void EndSpan(const StepContext& ctx, TrackedSpan& t, StatusCode status, std::string_view message) {
  if (!t.active) return;
  if (status == StatusCode::kError) {
    t.span->AddEvent("exception", 0,
                     {{"exception.type", std::string_view("traceproof.InjectedError")},
                      {"exception.message", message}});
    t.span->SetStatus(StatusCode::kError, message);
  }
  t.span->End();
  t.truth.status = status;
  t.truth.end_unix_ns = UnixNowNs();  // real time: clock skew is the span's, not the truth's
  if (ctx.truth) ctx.truth->Record(std::move(t.truth));
  t.active = false;
}

}  // namespace traceproof::mock
