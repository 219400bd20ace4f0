#include "run/run_apps.h"

#include <fmt/format.h>

#include <random>

#include "process/loopback_port.h"

namespace traceproof {

RunApps::RunApps(const ServiceGraph& graph, std::string& error) {
  for (const ServiceDef& s : graph.services) {
    if (!s.app) continue;
    std::uint16_t port = s.app->port;
    for (int attempt = 0; port == 0 && attempt < 10; ++attempt) {
      port = FreeLoopbackPort(&error);
      for (const auto& [name, p] : ports_)
        if (p == port) port = 0;
    }
    if (port == 0) {
      error = fmt::format("no free port for app '{}': {}", s.name, error);
      return;
    }
    ports_[s.name] = port;
  }
}

ServiceGraph RunApps::WithAppsAsExternal(const ServiceGraph& graph) const {
  ServiceGraph copy = graph;
  for (ServiceDef& s : copy.services) {
    if (auto it = ports_.find(s.name); it != ports_.end())
      s.external = fmt::format("127.0.0.1:{}", it->second);
  }
  return copy;
}

Status RunApps::Start(
    const ServiceGraph& graph,
    const std::function<std::pair<std::string, std::uint16_t>(const std::string&)>& endpoint,
    const RunAppsOptions& options, Lifecycle& lifecycle) {
  std::map<std::string, std::pair<std::string, std::uint16_t>> services;
  for (const ServiceDef& s : graph.services) {
    const auto it = ports_.find(s.name);
    services[s.name] = it != ports_.end()
                           ? std::pair<std::string, std::uint16_t>{"127.0.0.1", it->second}
                           : endpoint(s.name);
  }
  for (const ServiceDef& s : graph.services) {
    if (!s.app) continue;
    AppProcessOptions o;
    o.name = s.name;
    o.spec = *s.app;
    o.port = ports_.at(s.name);
    o.services = services;
    o.otlp = options.otlp;
    o.run_id = options.run_id;
    o.amqp_url = options.amqp_url;
    o.log_path = options.log_dir / (s.name + ".log");
    o.reaper = options.reaper;
    apps_.push_back(std::make_unique<AppProcess>(std::move(o)));
    AppProcess& app = *apps_.back();
    const auto begin = std::chrono::steady_clock::now();
    const Status status = lifecycle.Start(app, s.app->ready_timeout, kAppStopGrace);
    if (!status.ok()) return status;
    if (options.log) {
      options.log(fmt::format(
          "app {} on 127.0.0.1:{} (traceproof.run={}), ready after {:.1f} s (log {})", s.name,
          app.port(), options.run_id,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count(),
          app.LogPath().string()));
    }
  }
  return Status::Ok();
}

std::vector<std::pair<std::string, pid_t>> RunApps::RunningPids() const {
  std::vector<std::pair<std::string, pid_t>> running;
  for (const auto& app : apps_)
    if (app->Running()) running.emplace_back(std::string(app->Name()), app->pid());
  return running;
}

std::string NewRunId() {
  std::random_device random;
  return fmt::format("{:08x}", random());
}

}  // namespace traceproof
