// The route handler, Beast's handle_request as a coroutine: one HTTP request to a mock service
// in, its Outcome out, no socket in sight. It reads the harness headers (request id, expected
// parent) and the W3C trace headers, decides which of the service's faults apply, and then:
// reset answers nothing; timeout holds the request, then answers nothing; otherwise a SERVER
// span (the child of the caller's context) waits out any latency fault, is failed up front by
// an error fault, runs the route's steps, and the answer is a JSON body naming the service, the
// route, the trace id and the status (5xx marks the span ERROR; 4xx, the client's fault, does
// not). Everything beyond the request comes through the StepContext, so tests call it with
// fakes. RouteTable is a service's routes by "METHOD /path", for the server's dispatch.
// Runs on the request's io_context; RouteTable is immutable once made, so thread-safe.
#pragma once

// clang-format off: must come before any Boost.Asio header
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "graph/service_graph.h"
#include "mock_services/http_server.h"
#include "mock_services/step_context.h"

namespace traceproof::mock {

struct RouteRequest {
  const HttpRequest& http;  // headers; outlives the handling
  std::string key;          // "METHOD /path", as routes and faults name it
  std::string_view path;    // the target without its query, in `http`
};

// Counted in flight (RuntimeCounters) from its start to its end. `request` is taken by value so
// the caller can hand over the awaitable without a coroutine of its own around it.
boost::asio::awaitable<Outcome> HandleRoute(const Route& route, RouteRequest request,
                                            const StepContext& ctx);

class RouteTable {
 public:
  explicit RouteTable(const ServiceDef& service);  // `service` outlives the table

  struct Match {
    const Route* route = nullptr;  // null: the service has no such route
    std::string key;               // "METHOD /path"
    std::string_view path;         // into the request's target
  };
  Match Find(const HttpRequest& request) const;
  // The answer for a request no route takes: 404, listing the routes there are.
  Outcome NotFound(std::string_view key) const;

 private:
  const ServiceDef& service_;
  std::map<std::string, const Route*, std::less<>> routes_;
};

}  // namespace traceproof::mock
