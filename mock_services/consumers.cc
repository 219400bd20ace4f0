#include "mock_services/consumers.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <optional>
#include <string>

#include "mock_services/harness_headers.h"
#include "mock_services/steps.h"
#include "mock_services/tracked_span.h"
#include "tracing/w3c.h"

namespace traceproof::mock {
namespace {

namespace asio = boost::asio;
using asio::awaitable;

std::optional<std::string_view> Header(const QueueMessage& msg, std::string_view name) {
  for (const auto& [k, v] : msg.headers)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}

// The request a message belongs to, when it carries a number in the harness header (an app's
// message may carry anything there, or nothing).
std::optional<std::uint64_t> RequestIdOf(const QueueMessage& msg) {
  const auto id = Header(msg, kRequestIdHeader);
  if (!id) return std::nullopt;
  try {
    return std::stoull(std::string(*id));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The producer span a message came from, as ground truth knows it (a harness header that
// survives when the trace headers are stripped).
SpanId ProducerOf(const QueueMessage& msg) {
  const auto e = Header(msg, kExpectedParentHeader);
  return e ? SpanId::FromHex(*e).value_or(SpanId{}) : SpanId{};
}

// What reached the consumer: the message's trace context as it arrived, whatever the consumer
// then reads of it (ignore_queue_headers), and whether one of our mocks published it.
void Witness(const Consumer& consumer, const QueueMessage& msg, std::uint64_t request_id,
             bool carried, const TraceId& span_trace, const StepContext& ctx) {
  InboundRecord r;
  r.kind = InboundRecord::Kind::kMessage;
  r.target = consumer.queue;
  r.context = ReadInboundContext(Header(msg, "traceparent"));
  r.from_mock = Header(msg, kExpectedParentHeader).has_value();
  r.request_id = request_id;
  r.request_id_carried = carried;
  r.span_trace_id = span_trace;
  RecordInbound(ctx, "queue " + consumer.queue, std::move(r));
}

// Acked, a message no longer holds up a graceful stop; nacked, it comes again.
void Settle(QueueMessage& msg, bool nack, const StepContext& ctx) {
  if (msg.settle) msg.settle(!nack);
  if (!nack) ctx.ledger->Processed(msg);
}

void SetConsumerAttributes(TrackedSpan& t, const Consumer& consumer, const RequestState& st,
                           const StepContext& ctx) {
  t.span->SetAttribute("messaging.system", ctx.queue->system());
  t.span->SetAttribute("messaging.destination.name", consumer.queue);
  t.span->SetAttribute("messaging.operation.type", "process");
  t.truth.queue = consumer.queue;
  if (st.faults.Has(Fault::Kind::kDetachedSpan)) t.truth.faults.push_back("detached_span");
  if (st.faults.Has(Fault::Kind::kIgnoreQueueHeaders))
    t.truth.faults.push_back("ignore_queue_headers");
}

// The trace context a message carries, unless the service does not read it.
w3c::Extracted ExtractFrom(const QueueMessage& msg, const RequestState& st,
                           const StepContext& ctx) {
  if (!ctx.service->tracing || st.faults.Has(Fault::Kind::kIgnoreQueueHeaders)) return {};
  return w3c::Extract([&msg](std::string_view name) { return Header(msg, name); });
}

// nack_first, decided per message of a batch; the span records which were nacked.
std::vector<bool> NackBatch(const std::vector<QueueMessage>& batch, TrackedSpan& t,
                            RequestState& st, const StepContext& ctx) {
  std::vector<bool> nack(batch.size());
  std::size_t nacked = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    nack[i] = ctx.faults->NackFirst(batch[i], ctx.clock->Now(), ctx.rng());
    nacked += nack[i] ? 1 : 0;
    if (nack[i] && t.active) t.truth.batch[i].nacked = true;
  }
  if (nacked > 0 && t.active) {
    t.truth.faults.push_back("nack_first");
    if (!st.failed)
      st.error_message =
          fmt::format("{} of {} messages nacked for redelivery", nacked, batch.size());
  }
  return nack;
}

}  // namespace

awaitable<void> ConsumeMessage(const Consumer& consumer, QueueMessage msg, const StepContext& ctx) {
  InFlight in_flight(*ctx.counters);
  if (msg.redelivered) ctx.counters->redelivered.fetch_add(1);
  RequestState st;
  const std::optional<std::uint64_t> request_id = RequestIdOf(msg);
  const bool carried = request_id.has_value();
  st.request_id = request_id ? *request_id : NewRequestId(ctx.rng());
  const SpanId expected = ProducerOf(msg);
  st.faults = ctx.faults->Select("", ctx.clock->Now(), ctx.rng());
  const w3c::Extracted in = ExtractFrom(msg, st, ctx);
  st.baggage = in.baggage;
  const bool detached = st.faults.Has(Fault::Kind::kDetachedSpan);
  const std::optional<SpanContext> parent = (consumer.link || detached) ? std::nullopt : in.parent;
  TrackedSpan t = StartSpan(ctx, st, consumer.span_name, SpanKind::kConsumer, parent, expected);
  if (t.active) {
    SetConsumerAttributes(t, consumer, st, ctx);
    t.truth.redelivered = msg.redelivered;
    if (consumer.link && !detached && in.parent) {
      t.span->AddLink(*in.parent);
      t.truth.linked_span_id = in.parent->span_id;
    }
    st.current = t.span->context();
  }
  Witness(consumer, msg, st.request_id, carried, st.current ? st.current->trace_id : TraceId{},
          ctx);
  co_await RunSteps(consumer.steps, st, ctx);
  const bool nack = ctx.faults->NackFirst(msg, ctx.clock->Now(), ctx.rng());
  if (nack) {
    t.truth.nacked = true;
    t.truth.faults.push_back("nack_first");
    if (!st.failed) st.error_message = "message nacked for redelivery";
  }
  EndSpan(ctx, t, st.failed || nack ? StatusCode::kError : StatusCode::kUnset, st.error_message);
  Settle(msg, nack, ctx);
}

awaitable<void> ConsumeBatch(const Consumer& consumer, std::vector<QueueMessage> batch,
                             const StepContext& ctx) {
  InFlight in_flight(*ctx.counters);
  RequestState st;
  st.request_id = NewRequestId(ctx.rng());  // a batch is its own unit of work, not any request's
  st.faults = ctx.faults->Select("", ctx.clock->Now(), ctx.rng());
  const bool link = !st.faults.Has(Fault::Kind::kDetachedSpan);
  TrackedSpan t = StartSpan(ctx, st, consumer.span_name, SpanKind::kConsumer, std::nullopt, {});
  for (const QueueMessage& msg : batch) {
    if (msg.redelivered) ctx.counters->redelivered.fetch_add(1);
    if (!t.active) continue;
    BatchMessage m;
    m.producer_span_id = ProducerOf(msg);
    m.redelivered = msg.redelivered;
    if (const w3c::Extracted in = ExtractFrom(msg, st, ctx); link && in.parent) {
      t.span->AddLink(*in.parent);
      m.linked_span_id = in.parent->span_id;
    }
    t.truth.batch.push_back(m);
  }
  if (t.active) {
    SetConsumerAttributes(t, consumer, st, ctx);
    t.span->SetAttribute("messaging.batch.message_count", static_cast<std::int64_t>(batch.size()));
    st.current = t.span->context();
  }
  const TraceId span_trace = st.current ? st.current->trace_id : TraceId{};
  for (const QueueMessage& msg : batch) {
    // One witness per message; its request is the message's own, when it carries one.
    const std::optional<std::uint64_t> request_id = RequestIdOf(msg);
    Witness(consumer, msg, request_id.value_or(st.request_id), request_id.has_value(), span_trace,
            ctx);
  }
  co_await RunSteps(consumer.steps, st, ctx);
  const std::vector<bool> nack = NackBatch(batch, t, st, ctx);
  const bool nacked = std::find(nack.begin(), nack.end(), true) != nack.end();
  EndSpan(ctx, t, st.failed || nacked ? StatusCode::kError : StatusCode::kUnset, st.error_message);
  for (std::size_t i = 0; i < batch.size(); ++i) Settle(batch[i], nack[i], ctx);
}

void ConsumerRuntime::Deliver(QueueMessage message) {
  if (consumer_.batch_size > 0) {
    AddToBatch(std::move(message));
    return;
  }
  asio::co_spawn(pool_.Next(), ConsumeMessage(consumer_, std::move(message), ctx_), asio::detached);
}

void ConsumerRuntime::AddToBatch(QueueMessage message) {
  std::vector<QueueMessage> full;
  bool first = false;
  std::uint64_t number = 0;
  {
    std::lock_guard lock(mu_);
    gathered_.push_back(std::move(message));
    if (gathered_.size() >= consumer_.batch_size) {
      full.swap(gathered_);
      ++number_;
    } else if (gathered_.size() == 1) {
      first = true;
      number = number_;
    }
  }
  if (!full.empty()) {
    asio::co_spawn(pool_.Next(), ConsumeBatch(consumer_, std::move(full), ctx_), asio::detached);
  } else if (first) {
    asio::co_spawn(pool_.Next(), FlushAfterWait(number), asio::detached);
  }
}

awaitable<void> ConsumerRuntime::FlushAfterWait(std::uint64_t number) {
  // Not in flight while it waits: a graceful stop waits for the gathered messages themselves.
  co_await ctx_.clock->Sleep(consumer_.batch_wait);
  std::vector<QueueMessage> batch;
  {
    std::lock_guard lock(mu_);
    if (number_ != number || gathered_.empty()) co_return;  // filled up meanwhile
    batch.swap(gathered_);
    ++number_;
  }
  co_await ConsumeBatch(consumer_, std::move(batch), ctx_);
}

}  // namespace traceproof::mock
