#include "mock_services/route_handler.h"

#include <fmt/format.h>

#include <chrono>
#include <optional>

#include "mock_services/harness_headers.h"
#include "mock_services/steps.h"
#include "mock_services/tracked_span.h"
#include "tracing/w3c.h"

namespace traceproof::mock {
namespace {

using boost::asio::awaitable;

std::optional<std::string_view> Header(const HttpRequest& req, std::string_view name) {
  auto f = req.find(boost::beast::string_view(name.data(), name.size()));
  if (f == req.end()) return std::nullopt;
  return std::string_view(f->value().data(), f->value().size());
}

// The calling mock's request id (or one an app passed on), else a new one; `carried` says which.
std::uint64_t RequestIdOf(const HttpRequest& req, const StepContext& ctx, bool& carried) {
  carried = false;
  if (auto id = Header(req, kRequestIdHeader)) {
    try {
      const std::uint64_t carried_id = std::stoull(std::string(*id));
      carried = true;
      return carried_id;
    } catch (const std::exception&) {
    }
  }
  return NewRequestId(ctx.rng());
}

// What reached this route, before any fault decides what the service does with it.
InboundRecord Arrival(const RouteRequest& req, const RequestState& st, bool carried) {
  InboundRecord r;
  r.kind = InboundRecord::Kind::kHttp;
  r.target = req.key;
  r.context = ReadInboundContext(Header(req.http, "traceparent"));
  r.from_load = Header(req.http, kLoadMarkerHeader).has_value();
  r.from_mock = Header(req.http, kExpectedParentHeader).has_value();
  r.request_id = st.request_id;
  r.request_id_carried = carried;
  return r;
}

TrackedSpan StartServerSpan(const Route& route, const RouteRequest& req, RequestState& st,
                            const StepContext& ctx, const std::optional<SpanContext>& parent,
                            SpanId expected) {
  TrackedSpan server = StartSpan(ctx, st, route.span_name, SpanKind::kServer, parent, expected);
  if (!server.active) return server;
  server.span->SetAttribute("http.request.method", route.method);
  server.span->SetAttribute("http.route", route.path);
  server.span->SetAttribute("url.path", req.path);
  server.span->SetAttribute("url.scheme", "http");
  server.span->SetAttribute("server.address", ctx.service->name);
  server.span->SetAttribute("server.port", static_cast<std::int64_t>(ctx.port));
  st.current = server.span->context();
  for (const Fault* f : st.faults.faults) {
    if (f->kind == Fault::Kind::kLatency || f->kind == Fault::Kind::kError)
      server.truth.faults.push_back(std::string(FaultName(f->kind)));
  }
  return server;
}

Outcome Finish(TrackedSpan& server, const RouteRequest& req, const RequestState& st,
               const StepContext& ctx) {
  if (server.active) {
    server.span->SetAttribute("http.response.status_code", static_cast<std::int64_t>(st.status));
    if (st.failed) server.span->SetAttribute("error.type", std::to_string(st.status));
  }
  // HTTP semconv: 5xx is a server span error; 4xx is not (the client's fault).
  const bool span_error = st.failed && st.status >= 500;
  EndSpan(ctx, server, span_error ? StatusCode::kError : StatusCode::kUnset, st.error_message);
  const std::string trace = st.current ? st.current->trace_id.Hex() : "";
  return Outcome{
      st.status,
      fmt::format("{{\"service\":\"{}\",\"route\":\"{}\",\"trace_id\":\"{}\","
                  "\"status\":{}{}}}\n",
                  ctx.service->name, req.key, trace, st.status,
                  st.failed ? fmt::format(",\"error\":\"{}\"", st.error_message) : std::string())};
}

}  // namespace

awaitable<Outcome> HandleRoute(const Route& route, RouteRequest req, const StepContext& ctx) {
  InFlight in_flight(*ctx.counters);
  RequestState st;
  bool carried = false;
  st.request_id = RequestIdOf(req.http, ctx, carried);
  InboundRecord arrival = Arrival(req, st, carried);
  SpanId expected;
  if (auto e = Header(req.http, kExpectedParentHeader))
    expected = SpanId::FromHex(*e).value_or(SpanId{});
  st.faults = ctx.faults->Select(req.key, ctx.clock->Now(), ctx.rng());
  if (st.faults.Has(Fault::Kind::kReset) || st.faults.Find(Fault::Kind::kTimeout))
    RecordInbound(ctx, req.key, std::move(arrival));  // no span of its own
  if (st.faults.Has(Fault::Kind::kReset)) co_return Outcome{0, {}, true};
  if (const Fault* f = st.faults.Find(Fault::Kind::kTimeout)) {
    const Nanos hold = ctx.faults->SampleLatency(*f, ctx.rng());
    co_await ctx.clock->Sleep(hold.count() > 0 ? hold : std::chrono::seconds(30));
    co_return Outcome{0, {}, true};
  }
  const w3c::Extracted in =
      ctx.service->tracing
          ? w3c::Extract([&req](std::string_view name) { return Header(req.http, name); })
          : w3c::Extracted{};
  st.baggage = in.baggage;
  TrackedSpan server = StartServerSpan(route, req, st, ctx, in.parent, expected);
  if (st.current) arrival.span_trace_id = st.current->trace_id;
  RecordInbound(ctx, req.key, std::move(arrival));
  for (const Fault* f : st.faults.faults) {
    if (f->kind == Fault::Kind::kLatency)
      co_await ctx.clock->Sleep(ctx.faults->SampleLatency(*f, ctx.rng()));
  }
  if (const Fault* f = st.faults.Find(Fault::Kind::kError))
    st.Fail(static_cast<unsigned>(f->http_status), f->message);
  co_await RunSteps(route.steps, st, ctx);
  co_return Finish(server, req, st, ctx);
}

RouteTable::RouteTable(const ServiceDef& service) : service_(service) {
  for (const Route& r : service.routes) routes_.emplace(r.method + " " + r.path, &r);
}

RouteTable::Match RouteTable::Find(const HttpRequest& request) const {
  const std::string_view target(request.target().data(), request.target().size());
  Match m;
  m.path = target.substr(0, target.find('?'));
  m.key = fmt::format(
      "{} {}", std::string_view(request.method_string().data(), request.method_string().size()),
      m.path);
  auto it = routes_.find(m.key);
  if (it != routes_.end()) m.route = it->second;
  return m;
}

Outcome RouteTable::NotFound(std::string_view key) const {
  std::string routes;
  for (const auto& [k, _] : routes_) routes += "  " + k + "\n";
  return Outcome{404, fmt::format("service '{}' has no route '{}'; its routes:\n{}", service_.name,
                                  key, routes)};
}

}  // namespace traceproof::mock
