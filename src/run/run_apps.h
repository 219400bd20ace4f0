// The user's apps of one run (services with `app:`): their ports are chosen before anything
// starts, so the mock services can call them as they call an external service (WithAppsAsExternal)
// and the apps can be given the mocks' addresses; then each app is started and waited for
// (process/app_process.h) and pushed on the run's lifecycle, so they stop in reverse order, before
// the mocks. The drain stops them (SIGTERM: their SDKs flush) once the sink has been quiet.
// Not thread-safe: the run's thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "graph/service_graph.h"
#include "process/app_process.h"
#include "run/lifecycle.h"

namespace traceproof {

class Reaper;

struct RunAppsOptions {
  std::filesystem::path log_dir;  // each app's output goes to <log_dir>/<name>.log
  std::string run_id;
  std::string amqp_url;  // the run's broker; empty: none
  AppOtlpEndpoints otlp;
  Reaper* reaper = nullptr;
  std::function<void(const std::string&)> log;
};

class RunApps {
 public:
  // Chooses every app's port (its `app.port`, or a free one); `error` when none could be had.
  RunApps(const ServiceGraph& graph, std::string& error);

  bool empty() const { return ports_.empty(); }
  // `graph` with every app as an external service at 127.0.0.1:<its port>: where the mock
  // services send the calls of their steps.
  ServiceGraph WithAppsAsExternal(const ServiceGraph& graph) const;
  // Starts each app (declaration order) once the mocks listen; `endpoint` says where a service
  // that is not an app listens. The first that fails stops the rest (the lifecycle unwinds).
  Status Start(
      const ServiceGraph& graph,
      const std::function<std::pair<std::string, std::uint16_t>(const std::string&)>& endpoint,
      const RunAppsOptions& options, Lifecycle& lifecycle);
  // The name of the first app on the lifecycle (StopThrough it stops every app), or "".
  std::string FirstName() const { return apps_.empty() ? "" : std::string(apps_[0]->Name()); }
  // Each running app's name and process group (for the run's per-second series).
  std::vector<std::pair<std::string, pid_t>> RunningPids() const;

 private:
  std::map<std::string, std::uint16_t> ports_;
  std::vector<std::unique_ptr<AppProcess>> apps_;
};

// A short random id for this run's resource attributes (traceproof.run).
std::string NewRunId();

}  // namespace traceproof
