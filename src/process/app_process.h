// The user's own program as a process under test (a service with `app:`, graph/service_graph.h):
// started from its argv (no shell) in its directory, with the OpenTelemetry SDK variables set so
// it exports where the run listens, and the addresses of the services it calls filled into its
// argv and environment ({{payments.url}}, config/placeholders.h). Ready when its port accepts
// TCP, or its readiness path answers 200, within the ready timeout; an app that exits first is
// an error that quotes the end of its log. Its stdout and stderr are appended to its log file
// (results/.../apps/<name>.log). Stop is SIGTERM (its SDK flushes its batches), then SIGKILL to
// its process group after the grace. It never outlives traceproof: the reaper
// (process/reaper.h) and PDEATHSIG kill it, as they do a Collector.
// Not thread-safe: one owning thread (the run's); spawn from a long-lived thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "graph/service_graph.h"
#include "process/child_process.h"
#include "process/process_under_test.h"

namespace traceproof {

class Reaper;

// Where an app must export its spans: the embedded sink, or the run's Collector. (Not
// harness/otlp_target.h's OtlpTarget: one name for two types in one namespace is an ODR
// violation, which the ASan build showed as a crash in the implicit operator=.)
struct AppOtlpEndpoints {
  std::string grpc_url;  // "http://127.0.0.1:4317"
  std::string http_url;  // "http://127.0.0.1:4318"; empty: none (grpc only)
  // The headers the sink requires (`sink: { require_headers }`), as OTEL_EXPORTER_OTLP_HEADERS.
  std::vector<std::pair<std::string, std::string>> headers;
  // With `sink: { tls }` (the URLs are https://): OTEL_EXPORTER_OTLP_CERTIFICATE and, for
  // mutual TLS, _CLIENT_CERTIFICATE / _CLIENT_KEY. Empty: not set.
  std::string ca_file, client_cert_file, client_key_file;
};

// The SDK's batch delay the run sets unless the app's env does: short, so the drain waits
// for a fraction of a second rather than the SDKs' default 5 s.
inline constexpr std::chrono::milliseconds kAppBatchDelay{200};
inline constexpr std::chrono::milliseconds kAppStopGrace{5000};

struct AppProcessOptions {
  std::string name;  // the service name
  AppSpec spec;
  std::uint16_t port = 0;  // its port, resolved by the run (spec.port, or a free one)
  // The address of every service it may name in {{SERVICE.url}}: host and port.
  std::map<std::string, std::pair<std::string, std::uint16_t>> services;
  AppOtlpEndpoints otlp;
  std::string run_id;    // traceproof.run in its resource attributes
  std::string amqp_url;  // the run's broker, as TRACEPROOF_AMQP_URL; empty: none
  std::filesystem::path log_path;
  Reaper* reaper = nullptr;
};

// Its argv with every placeholder expanded, or nullopt with `error` naming the app and the text.
std::optional<std::vector<std::string>> AppArgv(const AppProcessOptions& options,
                                                std::string& error);
// What is added to its environment: the scenario's `env` (expanded), then every variable the
// run sets unless `env` does (OTel SDK variables, PORT, TRACEPROOF_<SERVICE>_URL,
// TRACEPROOF_AMQP_URL).
std::optional<std::vector<std::pair<std::string, std::string>>> AppEnvironment(
    const AppProcessOptions& options, std::string& error);

class AppProcess final : public ProcessUnderTest {
 public:
  explicit AppProcess(AppProcessOptions options);
  ~AppProcess() override;  // kills it if still running
  AppProcess(const AppProcess&) = delete;
  AppProcess& operator=(const AppProcess&) = delete;

  std::string_view Name() const noexcept override { return options_.name; }
  Status Start(std::chrono::milliseconds ready_timeout) noexcept override;
  void Stop(std::chrono::milliseconds grace) noexcept override;
  ProcessMetrics Metrics() const noexcept override;
  std::filesystem::path LogPath() const noexcept override { return options_.log_path; }

  bool Running() const { return child_ && child_->Running(); }
  pid_t pid() const { return child_ ? child_->pid() : -1; }  // also its process group
  std::uint16_t port() const { return options_.port; }
  int exit_status() const { return exit_status_; }  // -1 while running or never started
  // The last `lines` lines of its log file.
  std::string LogTail(int lines = 20) const;

 private:
  Status WaitReady(std::chrono::milliseconds timeout);
  bool Ready() const;
  std::string What() const;  // "app 'checkout' (python3 app.py ...)"

  AppProcessOptions options_;
  std::unique_ptr<ChildProcess> child_;
  std::chrono::steady_clock::time_point started_at_;
  double cpu_seconds_ = 0;  // of the ended process
  double wall_seconds_ = 0;
  int exit_status_ = -1;
};

}  // namespace traceproof
