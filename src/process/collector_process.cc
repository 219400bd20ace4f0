#include "process/collector_process.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "process/loopback_port.h"
#include "process/proc_stat.h"

namespace traceproof {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

std::string DefaultCollectorBinary() {
  if (const char* env = std::getenv("TRACEPROOF_OTELCOL"); env && *env) return env;
  std::string configured = TRACEPROOF_OTELCOL_DEFAULT;
  if (!configured.empty()) return configured;
  const char* cache = std::getenv("TRACEPROOF_CACHE");
  const char* home = std::getenv("HOME");
  const std::string root =
      cache && *cache ? std::string(cache) : std::string(home ? home : "") + "/.cache/traceproof";
  return root + "/otelcol/" + TRACEPROOF_OTELCOL_MANIFEST_SHA256 + "/otelcol-traceproof";
}

CollectorProcess::CollectorProcess(CollectorOptions options) : options_(std::move(options)) {}

CollectorProcess::~CollectorProcess() {
  StopMonitor();
  if (child_) child_->Kill();
}

Status CollectorProcess::Start(std::chrono::milliseconds ready_timeout) noexcept {
  try {
    ready_timeout_ = ready_timeout;
    std::string error;
    for (int* port : {&grpc_port_, &http_port_, &metrics_port_}) {
      for (int attempt = 0; attempt < 10 && *port == 0; ++attempt) {
        const int p = FreeLoopbackPort(&error);
        if (p == 0) return Status::Error(error);
        if (p != grpc_port_ && p != http_port_ && p != metrics_port_) *port = p;
      }
    }
    if (!Spawn(error)) return Status::Error(error);
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::Error(std::string("Collector did not start: ") + e.what());
  }
}

bool CollectorProcess::Spawn(std::string& error) {
  if (access(options_.binary.c_str(), X_OK) != 0) {
    error = fmt::format("Collector binary '{}' {}", options_.binary,
                        errno == ENOENT ? "does not exist" : "is not executable");
    return false;
  }
  std::vector<std::string> argv = {
      options_.binary, "--config", "file:" + options_.config, "--config",
      // Our own metrics reader, whatever the user's config says (YAML provider, '::' nests).
      fmt::format("yaml:service::telemetry::metrics::readers: [{{pull: {{exporter: {{prometheus: "
                  "{{host: 127.0.0.1, port: {}}}}}}}}}]",
                  metrics_port_)};
  ChildOptions o;
  o.env = {{"TRACEPROOF_SINK_ENDPOINT", options_.sink_grpc_endpoint},
           {"TRACEPROOF_OTLP_HOST", "127.0.0.1"},
           {"TRACEPROOF_OTLP_GRPC_PORT", std::to_string(grpc_port_)},
           {"TRACEPROOF_OTLP_HTTP_PORT", std::to_string(http_port_)},
           {"TRACEPROOF_METRICS_PORT", std::to_string(metrics_port_)}};
  if (!options_.sink_ca_file.empty()) {
    o.env.emplace_back("TRACEPROOF_SINK_CA_FILE", options_.sink_ca_file);
    o.env.emplace_back("TRACEPROOF_SINK_SERVER_NAME", options_.sink_server_name);
  }
  for (std::size_t i = 0; i < options_.sink_tier_endpoints.size(); ++i)
    o.env.emplace_back(fmt::format("TRACEPROOF_SINK_ENDPOINT_{}", i),
                       options_.sink_tier_endpoints[i]);
  o.die_with_parent = true;
  o.reaper = options_.reaper;
  std::string spawn_error;
  child_ = SpawnChild(argv, spawn_error, o);
  if (!child_) {
    error = "Collector did not start: " + spawn_error;
    return false;
  }
  {
    std::lock_guard lock(mutex_);
    started_at_ = Clock::now();
  }
  last_exit_ = -1;
  if (!WaitReady(error)) return false;
  monitor_stop_ = false;
  monitor_ = std::thread([this] { Monitor(); });
  return true;
}

// Until its OTLP/gRPC port accepts connections; killed, and why in `error`, if it exits first
// or the ready timeout runs out.
bool CollectorProcess::WaitReady(std::string& error) {
  const auto deadline = Clock::now() + ready_timeout_;
  while (Clock::now() < deadline) {
    if (!child_->Running()) break;
    if (AcceptsOnLoopback(grpc_port_)) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  const bool exited = !child_->Running();
  const ChildExit exit = child_->Kill();
  last_exit_ = exit.status;
  error = exited ? fmt::format("Collector exited with status {} before it was ready", exit.status)
                 : fmt::format(
                       "Collector's OTLP/gRPC port 127.0.0.1:{} did not accept "
                       "connections within {} ms",
                       grpc_port_, ready_timeout_.count());
  error +=
      " (" + options_.binary + " --config " + options_.config + "); its log ends:\n" + LogTail();
  return false;
}

void CollectorProcess::Monitor() {
  const pid_t pid = child_->pid();
  double last_cpu = child_->CpuSeconds();
  auto last = Clock::now();
  while (!monitor_stop_) {
    for (int i = 0; i < 20 && !monitor_stop_; ++i) std::this_thread::sleep_for(milliseconds(50));
    if (monitor_stop_) break;
    const double cpu = child_->CpuSeconds();
    const std::uint64_t rss = ProcessRssBytes(pid);
    const auto now = Clock::now();
    std::lock_guard lock(mutex_);
    const double interval = Seconds(now - last);
    if (interval > 0 && cpu >= last_cpu) {
      resources_.peak_cpu_percent =
          std::max(resources_.peak_cpu_percent, 100.0 * (cpu - last_cpu) / interval);
    }
    resources_.peak_rss_bytes = std::max(resources_.peak_rss_bytes, rss);
    ++resources_.samples;
    last_cpu = cpu;
    last = now;
  }
}

void CollectorProcess::StopMonitor() {
  monitor_stop_ = true;
  if (monitor_.joinable()) monitor_.join();
}

void CollectorProcess::AccumulateBeforeRestart() {
  before_ = AddCounters(before_, last_);
  before_.exporter_queue_size = 0;
  before_.tail_traces_on_memory = 0;
  last_ = CollectorCounters{};
}

void CollectorProcess::Kill() {
  if (!child_ || !child_->Running()) return;
  Scrape();  // the counters as close to the crash as we can get them
  StopMonitor();
  const ChildExit exit = child_->Kill();
  std::lock_guard lock(mutex_);
  cpu_before_ += exit.cpu_s;
  wall_before_ += Seconds(Clock::now() - started_at_);
  previous_logs_ += child_->Output() + "--- traceproof: Collector killed (SIGKILL) ---\n";
  last_exit_ = exit.status;
}

bool CollectorProcess::Restart(std::string& error) {
  AccumulateBeforeRestart();
  ++restarts_;
  return Spawn(error);
}

void CollectorProcess::Stop(std::chrono::milliseconds grace) noexcept {
  if (!child_) return;
  StopMonitor();
  if (!child_->Running()) {
    last_exit_ = child_->Finish(false).status;  // exited by itself, or killed by a fault
    return;
  }
  const ChildExit exit = child_->Stop(grace);
  std::lock_guard lock(mutex_);
  cpu_before_ += exit.cpu_s;
  wall_before_ += Seconds(Clock::now() - started_at_);
  last_exit_ = exit.status;
}

bool CollectorProcess::Running() const { return child_ && child_->Running(); }

CollectorCounters CollectorProcess::Scrape(std::string* error) {
  std::string e;
  if (Running()) {
    if (auto body = HttpGetLoopback(metrics_port_, "/metrics", milliseconds(3000), e)) {
      last_ = ReadCollectorCounters(ParsePrometheusText(*body));
    }
  } else {
    e = "the Collector is not running";
  }
  if (error) *error = e;
  CollectorCounters total = AddCounters(before_, last_);
  total.scraped = last_.scraped || before_.scraped;
  return total;
}

std::string CollectorProcess::Log() const {
  std::lock_guard lock(mutex_);
  return previous_logs_ + (child_ ? child_->Output() : std::string());
}

std::string CollectorProcess::LogTail(int lines) const {
  const std::string log = Log();
  std::size_t at = log.size();
  if (at > 0 && log[at - 1] == '\n') --at;
  for (int i = 0; i < lines && at != std::string::npos && at > 0; ++i) at = log.rfind('\n', at - 1);
  return at == std::string::npos || at == 0 ? log : log.substr(at + 1);
}

ProcessMetrics CollectorProcess::Metrics() const noexcept {
  std::lock_guard lock(mutex_);
  ProcessMetrics r = resources_;
  r.cpu_seconds = cpu_before_;
  r.wall_seconds = wall_before_;
  if (child_ && child_->Running()) {
    r.cpu_seconds += child_->CpuSeconds();
    r.wall_seconds += Seconds(Clock::now() - started_at_);
  }
  r.mean_cpu_percent = r.wall_seconds > 0 ? 100.0 * r.cpu_seconds / r.wall_seconds : 0;
  return r;
}

}  // namespace traceproof
