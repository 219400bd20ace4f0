// A mock service as a witness: what reached it, recorded per inbound request and per consumed
// message (truth/inbound_record.h), so the propagation check can judge a hop out of a service we
// did not write. The graph says once, when the service is made, who may call each of its routes
// and publish to each of its queues (CallerIndex, shared by every record); each arrival costs a
// parse of its traceparent and one record.
// IndexCallers runs on the owning thread; the index is immutable after, read by service threads.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "graph/service_graph.h"
#include "truth/inbound_record.h"

namespace traceproof::mock {

struct StepContext;

// By "METHOD /path" for a route and "queue NAME" for a consumer's queue.
using CallerIndex = std::map<std::string, std::shared_ptr<const AllowedCallers>, std::less<>>;

// Mocks whose call steps target a route of `service` (or whose publish steps a queue it
// consumes); external and app services whose `calls:` name it ("payments POST /charge",
// "queue order.created", or the service's bare name for all of it), and those that declare no
// `calls:` at all.
CallerIndex IndexCallers(const ServiceGraph& graph, const ServiceDef& service);

// The trace context the traceparent header carried: none, malformed (raw value kept, cut), or
// valid.
InboundContext ReadInboundContext(std::optional<std::string_view> traceparent);

// The record's time, callers (from ctx's index, by `key`) and service filled in, then recorded
// in ctx's ground-truth sink, if any.
void RecordInbound(const StepContext& ctx, std::string_view key, InboundRecord record);

}  // namespace traceproof::mock
