// The step interpreter: runs a route's or consumer's steps in order for one request. work: an
// INTERNAL span lasting the step's latency; sleep: uninstrumented time (a gap in the parent);
// call: a CLIENT span and an HTTP call carrying W3C trace context (a failed call fails the
// request with 502); db: a CLIENT span with db.* attributes; publish: a PRODUCER span and a
// message carrying the context; error: fails the request at the step's rate; parallel: runs its
// branches concurrently and waits for all. Once the request failed, the remaining steps are
// skipped. Faults that act inside steps are applied here: detached_span (work spans start new
// traces), drop_traceparent (calls carry no trace headers), strip_queue_headers (messages lose
// them). Runs on the request's io_context; the branches of a parallel step share it, so they
// interleave but never race.
#pragma once

// clang-format off: must come before any Boost.Asio header
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <vector>

#include "graph/service_graph.h"
#include "mock_services/step_context.h"

namespace traceproof::mock {

boost::asio::awaitable<void> RunSteps(const std::vector<Step>& steps, RequestState& st,
                                      const StepContext& ctx);
boost::asio::awaitable<void> RunStep(const Step& step, RequestState& st, const StepContext& ctx);

}  // namespace traceproof::mock
