// The admin endpoint of `traceproof serve --admin-port P`: what a `traceproof run` in another
// process needs to check services it did not start.
//
//   GET /truth[?since=NS]  the ground truth (ground_truth.h), one JSON object per line as
//                          `serve --truth` writes it, of the spans recorded at or after NS
//                          (the serve process's clock, ns since the Unix epoch; default 0)
//   GET /inbound[?since=NS] what reached each mock (truth/inbound_record.h), one JSON object
//                          per line, of the requests and messages that arrived at or after NS
//   GET /stats             JSON: that clock now ("now_unix_ns"), the services' ports and
//                          their cumulative exporter counters (MockServicesStats), so a run
//                          takes a difference between its start and its end
//
// The request handler is a plain function tests call without a socket; the server is one
// Boost.Beast acceptor on its own thread. Start/Stop from one owning thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mock_services/mock_services.h"
#include "truth/truth_log.h"

namespace traceproof::mock {

// What /stats serves, and what a run reads back from it.
struct AdminStats {
  std::uint64_t now_unix_ns = 0;
  std::string host;                  // the services' listen address
  std::map<std::string, int> ports;  // service name -> port
  MockServicesStats services;
};

std::string AdminStatsToJson(const AdminStats& stats);
// nullopt with `error` set when `json` is not what AdminStatsToJson writes.
std::optional<AdminStats> AdminStatsFromJson(std::string_view json, std::string& error);

// Where the handler reads from. Both must outlive the server.
struct AdminSources {
  const TruthLog* truth = nullptr;
  std::function<AdminStats()> stats;
};

struct AdminResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

AdminResponse HandleAdminRequest(std::string_view method, std::string_view target,
                                 const AdminSources& sources);

class AdminServer {
 public:
  virtual ~AdminServer() = default;
  virtual std::uint16_t port() const = 0;
  virtual void Stop() = 0;  // idempotent
};

struct AdminServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
};

// nullptr with `error` set when the address cannot be bound.
std::unique_ptr<AdminServer> StartAdminServer(const AdminServerOptions& options,
                                              AdminSources sources, std::string& error);

}  // namespace traceproof::mock
