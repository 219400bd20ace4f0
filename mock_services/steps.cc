#include "mock_services/steps.h"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <memory>

#include "mock_services/harness_headers.h"
#include "mock_services/tracked_span.h"
#include "tracing/w3c.h"

namespace traceproof::mock {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;

beast::string_view Bsv(std::string_view s) { return beast::string_view(s.data(), s.size()); }

Nanos Latency(const Step& step, const StepContext& ctx) {
  return ctx.latencies->Sample(step, ctx.rng());
}

// Work and db spans are started and ended by RunStep itself: one coroutine frame less per step.
TrackedSpan StartWork(const Step& step, const RequestState& st, const StepContext& ctx,
                      SpanId expected) {
  const bool detached = st.faults.Has(Fault::Kind::kDetachedSpan);
  TrackedSpan t = StartSpan(ctx, st, step.name, SpanKind::kInternal,
                            detached ? std::nullopt : st.current, expected);
  if (detached) t.truth.faults.push_back("detached_span");
  return t;
}

TrackedSpan StartDb(const Step& step, const RequestState& st, const StepContext& ctx,
                    SpanId expected) {
  TrackedSpan t = StartSpan(ctx, st, step.name, SpanKind::kClient, st.current, expected);
  if (t.active) {
    t.span->SetAttribute("db.system", step.db_system);
    t.span->SetAttribute("db.query.text", step.statement);
  }
  return t;
}

awaitable<void> Parallel(const Step& step, RequestState& st, const StepContext& ctx) {
  // Branches share the request's thread, so they interleave but never race.
  auto executor = co_await asio::this_coro::executor;
  auto remaining = std::make_shared<std::size_t>(step.steps.size());
  auto done = std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
  for (const Step& branch : step.steps) {
    asio::co_spawn(
        executor,
        [&st, &ctx, &branch, remaining, done]() -> awaitable<void> {
          co_await RunStep(branch, st, ctx);
          if (--*remaining == 0) done->cancel();
        },
        asio::detached);
  }
  if (*remaining > 0) {
    beast::error_code ec;
    co_await done->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

// The request a call step sends: the harness headers always, the trace headers unless a
// drop_traceparent fault applies to this target (then the span records the fault).
HttpCallRequest CallRequest(const Step& step, const RequestState& st, const StepContext& ctx,
                            TrackedSpan& t) {
  std::optional<SpanContext> propagate = t.active ? std::optional(t.span->context()) : st.current;
  HttpCallRequest req{http::string_to_verb(step.method), step.path, 11};
  req.set(http::field::host, step.service);
  req.set(Bsv(kRequestIdHeader), std::to_string(st.request_id));
  if (propagate) req.set(Bsv(kExpectedParentHeader), propagate->span_id.Hex());
  if (st.faults.Find(Fault::Kind::kDropTraceparent, step.service)) {
    if (t.active) t.truth.faults.push_back("drop_traceparent");
  } else if (propagate && ctx.service->tracing) {
    w3c::Inject(*propagate, st.baggage, [&req](std::string_view name, std::string_view value) {
      req.set(Bsv(name), Bsv(value));
    });
  }
  return req;
}

awaitable<void> Call(const Step& step, RequestState& st, const StepContext& ctx, SpanId expected) {
  const asio::ip::tcp::endpoint ep = ctx.client->Target(step.service);
  TrackedSpan t;
  if (step.client_span) {
    t = StartSpan(ctx, st, step.name, SpanKind::kClient, st.current, expected);
    if (t.active) {
      t.span->SetAttribute("http.request.method", step.method);
      t.span->SetAttribute("server.address", step.service);
      t.span->SetAttribute("server.port", static_cast<std::int64_t>(ep.port()));
      t.span->SetAttribute("url.full", fmt::format("http://{}:{}{}", ep.address().to_string(),
                                                   ep.port(), step.path));
    }
  }
  HttpCallResult result = co_await ctx.client->Call(ep, CallRequest(step, st, ctx, t));
  if (t.active && result.status) {
    t.span->SetAttribute("http.response.status_code", static_cast<std::int64_t>(result.status));
  }
  if (!result.ok()) {
    std::string why = result.status ? fmt::format("{} {} {} answered {}", step.method, step.service,
                                                  step.path, result.status)
                                    : fmt::format("{} {} {} failed: {}", step.method, step.service,
                                                  step.path, result.message);
    EndSpan(ctx, t, StatusCode::kError, why);
    st.Fail(502, std::move(why));
    co_return;
  }
  EndSpan(ctx, t, StatusCode::kUnset);
}

// The message a publish step sends: the harness headers always, the trace headers unless a
// strip_queue_headers fault applies (then the span records the fault).
QueueMessage Message(const RequestState& st, const StepContext& ctx, TrackedSpan& t) {
  QueueMessage msg;
  msg.body = fmt::format("{{\"request_id\":{}}}", st.request_id);
  msg.headers.emplace_back(std::string(kRequestIdHeader), std::to_string(st.request_id));
  std::optional<SpanContext> span_ctx = t.active ? std::optional(t.span->context()) : st.current;
  if (span_ctx) {
    msg.headers.emplace_back(std::string(kExpectedParentHeader), span_ctx->span_id.Hex());
  }
  if (st.faults.Has(Fault::Kind::kStripQueueHeaders)) {
    if (t.active) t.truth.faults.push_back("strip_queue_headers");
  } else if (span_ctx && ctx.service->tracing) {
    w3c::Inject(*span_ctx, st.baggage, [&msg](std::string_view n, std::string_view v) {
      msg.headers.emplace_back(std::string(n), std::string(v));
    });
  }
  return msg;
}

void Publish(const Step& step, RequestState& st, const StepContext& ctx, SpanId expected) {
  TrackedSpan t = StartSpan(ctx, st, step.name, SpanKind::kProducer, st.current, expected);
  if (t.active) {
    t.span->SetAttribute("messaging.system", ctx.queue->system());
    t.span->SetAttribute("messaging.destination.name", step.queue);
    t.span->SetAttribute("messaging.operation.type", "publish");
    t.truth.queue = step.queue;
  }
  QueueMessage msg = Message(st, ctx, t);
  const std::uint64_t id = ctx.ledger->Track(msg);  // until a consumer has processed it
  if (!ctx.queue->Publish(step.queue, std::move(msg))) {
    ctx.ledger->Forget(id);
    ctx.counters->publish_failed.fetch_add(1);
    EndSpan(ctx, t, StatusCode::kError, "publish to " + step.queue + " failed");
    return;
  }
  EndSpan(ctx, t, StatusCode::kUnset);
}

}  // namespace

awaitable<void> RunSteps(const std::vector<Step>& steps, RequestState& st, const StepContext& ctx) {
  for (const Step& step : steps) {
    if (st.failed) co_return;
    co_await RunStep(step, st, ctx);
  }
}

awaitable<void> RunStep(const Step& step, RequestState& st, const StepContext& ctx) {
  const SpanId expected = st.current ? st.current->span_id : SpanId{};
  switch (step.kind) {
    case Step::Kind::kSleep:
      co_await ctx.clock->Sleep(Latency(step, ctx));
      co_return;
    case Step::Kind::kWork: {
      TrackedSpan t = StartWork(step, st, ctx, expected);
      co_await ctx.clock->Sleep(Latency(step, ctx));
      EndSpan(ctx, t, StatusCode::kUnset);
      co_return;
    }
    case Step::Kind::kDb: {
      TrackedSpan t = StartDb(step, st, ctx, expected);
      co_await ctx.clock->Sleep(Latency(step, ctx));
      EndSpan(ctx, t, StatusCode::kUnset);
      co_return;
    }
    case Step::Kind::kError:
      if (Chance(ctx.rng(), step.rate))
        st.Fail(static_cast<unsigned>(step.http_status), step.message);
      co_return;
    case Step::Kind::kCall:
      co_await Call(step, st, ctx, expected);
      co_return;
    case Step::Kind::kPublish:
      Publish(step, st, ctx, expected);
      co_return;
    case Step::Kind::kParallel:
      co_await Parallel(step, st, ctx);
      co_return;
  }
}

}  // namespace traceproof::mock
