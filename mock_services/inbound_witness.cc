#include "mock_services/inbound_witness.h"

#include <algorithm>
#include <chrono>

#include "mock_services/step_context.h"
#include "tracing/w3c.h"

namespace traceproof::mock {
namespace {

bool Targets(const std::vector<Step>& steps, const ServiceDef& service, std::string_view key,
             bool queue) {
  for (const Step& s : steps) {
    if (s.kind == Step::Kind::kParallel && Targets(s.steps, service, key, queue)) return true;
    if (queue && s.kind == Step::Kind::kPublish && "queue " + s.queue == key) return true;
    if (!queue && s.kind == Step::Kind::kCall && s.service == service.name &&
        s.method + " " + s.path == key)
      return true;
  }
  return false;
}

bool MockTargets(const ServiceDef& caller, const ServiceDef& service, std::string_view key,
                 bool queue) {
  for (const Route& r : caller.routes)
    if (Targets(r.steps, service, key, queue)) return true;
  for (const Consumer& c : caller.consumers)
    if (Targets(c.steps, service, key, queue)) return true;
  return false;
}

// An external or app service's `calls:` entry names this route or queue: "queue NAME" (any
// consumer of it), "SERVICE METHOD /path", or "SERVICE" for every route of it.
bool OutsideCalls(const ServiceDef& caller, const ServiceDef& service, std::string_view key,
                  bool queue) {
  if (caller.calls.empty()) return true;
  return std::any_of(caller.calls.begin(), caller.calls.end(), [&](const std::string& c) {
    if (queue) return c == key;
    return c == service.name || c == service.name + " " + std::string(key);
  });
}

std::shared_ptr<const AllowedCallers> CallersOf(const ServiceGraph& graph,
                                                const ServiceDef& service, std::string_view key,
                                                bool queue) {
  auto callers = std::make_shared<AllowedCallers>();
  for (const ServiceDef& s : graph.services) {
    const bool outside = !s.external.empty() || s.app.has_value();
    if (outside && OutsideCalls(s, service, key, queue)) {
      callers->outside.push_back(s.name);
      if (s.app) callers->apps.push_back(s.name);
    }
    if (!outside && MockTargets(s, service, key, queue)) callers->mocks.push_back(s.name);
  }
  return callers;
}

}  // namespace

CallerIndex IndexCallers(const ServiceGraph& graph, const ServiceDef& service) {
  CallerIndex index;
  for (const Route& r : service.routes) {
    const std::string key = r.method + " " + r.path;
    index.emplace(key, CallersOf(graph, service, key, false));
  }
  for (const Consumer& c : service.consumers) {
    const std::string key = "queue " + c.queue;
    index.emplace(key, CallersOf(graph, service, key, true));
  }
  return index;
}

InboundContext ReadInboundContext(std::optional<std::string_view> traceparent) {
  InboundContext c;
  if (!traceparent) return c;
  const std::optional<SpanContext> parsed = w3c::ParseTraceparent(*traceparent);
  if (!parsed) {
    c.state = InboundContext::State::kMalformed;
    c.raw = std::string(traceparent->substr(0, InboundContext::kMaxRawBytes));
    return c;
  }
  c.state = InboundContext::State::kValid;
  c.trace_id = parsed->trace_id;
  c.parent_span_id = parsed->span_id;
  c.sampled = parsed->sampled();
  return c;
}

void RecordInbound(const StepContext& ctx, std::string_view key, InboundRecord record) {
  if (!ctx.truth) return;
  record.service = ctx.service->name;
  if (ctx.callers) {
    if (auto it = ctx.callers->find(key); it != ctx.callers->end()) record.callers = it->second;
  }
  record.time_unix_ns =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  ctx.truth->RecordInbound(std::move(record));
}

}  // namespace traceproof::mock
