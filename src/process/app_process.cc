#include "process/app_process.h"

#include <fmt/format.h>

#include <sstream>
#include <thread>

#include "config/placeholders.h"
#include "process/http_get.h"
#include "process/log_tail.h"
#include "process/loopback_port.h"

namespace traceproof {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using Env = std::vector<std::pair<std::string, std::string>>;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string EnvName(std::string_view service) {
  std::string out;
  for (char c : service) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    out += (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c : '_';
  }
  return out;
}

std::optional<std::string> Expand(const AppProcessOptions& o, const std::string& text,
                                  std::string& error) {
  auto value = [&o](const Placeholder& p) -> std::optional<std::string> {
    std::pair<std::string, std::uint16_t> at{"127.0.0.1", o.port};
    if (p.service != "self") {
      const auto it = o.services.find(p.service);
      if (it == o.services.end()) return std::nullopt;
      at = it->second;
    }
    if (p.field == "host") return at.first;
    if (p.field == "port") return std::to_string(at.second);
    return fmt::format("http://{}:{}", at.first, at.second);
  };
  auto out = ExpandPlaceholders(text, value, error);
  if (!out) error = fmt::format("app '{}': {}", o.name, error);
  return out;
}

const std::string* Find(const Env& env, std::string_view name) {
  for (const auto& [k, v] : env)
    if (k == name) return &v;
  return nullptr;
}

// OTEL_EXPORTER_OTLP_HEADERS' form: "k=v,k2=v2", values percent-encoded (W3C Baggage octets),
// so "Bearer abc" survives as "Bearer%20abc" and the SDK decodes it back.
std::string OtlpHeadersValue(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string out;
  for (const auto& [name, value] : headers) {
    if (!out.empty()) out += ',';
    out += name + '=';
    for (const unsigned char c : value) {
      const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
      out += plain ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
    }
  }
  return out;
}

// The OTel SDK variables (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-
// variables/) the run sets unless the scenario's env does.
void AddOtelDefaults(const AppProcessOptions& o, Env& env) {
  auto set_default = [&env](const std::string& name, std::string value) {
    if (!Find(env, name)) env.emplace_back(name, std::move(value));
  };
  const std::string* protocol = Find(env, "OTEL_EXPORTER_OTLP_PROTOCOL");
  // http/protobuf to the HTTP receiver is what every official SDK supports; grpc when asked for
  // (or when there is no HTTP receiver).
  const bool grpc = protocol ? *protocol == "grpc" : o.otlp.http_url.empty();
  set_default("OTEL_EXPORTER_OTLP_PROTOCOL", grpc ? "grpc" : "http/protobuf");
  set_default("OTEL_EXPORTER_OTLP_ENDPOINT", grpc ? o.otlp.grpc_url : o.otlp.http_url);
  if (!o.otlp.headers.empty())
    set_default("OTEL_EXPORTER_OTLP_HEADERS", OtlpHeadersValue(o.otlp.headers));
  if (!o.otlp.ca_file.empty()) set_default("OTEL_EXPORTER_OTLP_CERTIFICATE", o.otlp.ca_file);
  if (!o.otlp.client_cert_file.empty()) {
    set_default("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", o.otlp.client_cert_file);
    set_default("OTEL_EXPORTER_OTLP_CLIENT_KEY", o.otlp.client_key_file);
  }
  set_default("OTEL_SERVICE_NAME", o.name);
  set_default("OTEL_BSP_SCHEDULE_DELAY", std::to_string(kAppBatchDelay.count()));
  set_default("OTEL_TRACES_EXPORTER", "otlp");
  set_default("OTEL_METRICS_EXPORTER", "none");
  set_default("OTEL_LOGS_EXPORTER", "none");
  std::string attributes = fmt::format("traceproof.run={}", o.run_id);
  const std::string* user = Find(env, "OTEL_RESOURCE_ATTRIBUTES");
  if (!user || user->find("service.instance.id=") == std::string::npos)
    attributes += fmt::format(",service.instance.id={}-{}", o.name, o.run_id);
  if (user) {
    attributes = *user + "," + attributes;
    std::erase_if(env, [](const auto& kv) { return kv.first == "OTEL_RESOURCE_ATTRIBUTES"; });
  }
  env.emplace_back("OTEL_RESOURCE_ATTRIBUTES", attributes);
}

}  // namespace

std::optional<std::vector<std::string>> AppArgv(const AppProcessOptions& options,
                                                std::string& error) {
  std::vector<std::string> argv;
  for (const std::string& arg : options.spec.command) {
    auto expanded = Expand(options, arg, error);
    if (!expanded) return std::nullopt;
    argv.push_back(std::move(*expanded));
  }
  return argv;
}

std::optional<Env> AppEnvironment(const AppProcessOptions& options, std::string& error) {
  Env env;
  for (const auto& [name, value] : options.spec.env) {
    auto expanded = Expand(options, value, error);
    if (!expanded) {
      error += " (in env " + name + ")";
      return std::nullopt;
    }
    env.emplace_back(name, std::move(*expanded));
  }
  AddOtelDefaults(options, env);
  auto set_default = [&env](const std::string& name, std::string value) {
    if (!Find(env, name)) env.emplace_back(name, std::move(value));
  };
  set_default("PORT", std::to_string(options.port));
  if (!options.amqp_url.empty()) set_default("TRACEPROOF_AMQP_URL", options.amqp_url);
  set_default("PYTHONUNBUFFERED", "1");  // its log shows what it printed when it died
  for (const auto& [service, at] : options.services)
    set_default("TRACEPROOF_" + EnvName(service) + "_URL",
                fmt::format("http://{}:{}", at.first, at.second));
  return env;
}

AppProcess::AppProcess(AppProcessOptions options) : options_(std::move(options)) {}

AppProcess::~AppProcess() {
  if (child_) child_->Kill();
}

std::string AppProcess::What() const {
  std::string argv;
  for (const std::string& a : options_.spec.command) argv += (argv.empty() ? "" : " ") + a;
  return fmt::format("app '{}' ({})", options_.name, argv);
}

Status AppProcess::Start(std::chrono::milliseconds ready_timeout) noexcept {
  try {
    std::string error;
    const auto argv = AppArgv(options_, error);
    if (!argv) return Status::Error(error);
    const auto env = AppEnvironment(options_, error);
    if (!env) return Status::Error(error);
    std::error_code ec;
    std::filesystem::create_directories(options_.log_path.parent_path(), ec);
    ChildOptions o;
    o.env = *env;
    // Only the scenario's env and the run's own settings say where the app's spans go.
    o.drop_inherited_prefixes = {"OTEL_EXPORTER_OTLP_"};
    o.cwd = options_.spec.cwd;
    o.output_file = options_.log_path;
    o.die_with_parent = true;
    o.reaper = options_.reaper;
    child_ = SpawnChild(*argv, error, o);
    if (!child_) {
      return Status::Error(fmt::format("{} did not start: {} (cwd {}; log {})", What(), error,
                                       options_.spec.cwd, options_.log_path.string()));
    }
    started_at_ = Clock::now();
    exit_status_ = -1;
    return WaitReady(ready_timeout);
  } catch (const std::exception& e) {
    return Status::Error(What() + " did not start: " + e.what());
  }
}

bool AppProcess::Ready() const {
  if (options_.spec.ready_http_path.empty()) return AcceptsOnLoopback(options_.port);
  std::string error;
  return HttpGet("127.0.0.1", options_.port, options_.spec.ready_http_path, milliseconds(1000),
                 error)
      .has_value();
}

Status AppProcess::WaitReady(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (!child_->Running()) break;
    if (Ready()) return Status::Ok();
    std::this_thread::sleep_for(milliseconds(50));
  }
  const bool exited = !child_->Running();
  const ChildExit exit = child_->Kill();
  exit_status_ = exit.status;
  const std::string how =
      options_.spec.ready_http_path.empty()
          ? fmt::format("127.0.0.1:{} did not accept TCP connections", options_.port)
          : fmt::format("GET http://127.0.0.1:{}{} did not answer 200", options_.port,
                        options_.spec.ready_http_path);
  const std::string why =
      exited ? fmt::format("{} exited with status {} before it was ready", What(), exit.status)
             : fmt::format("{} was not ready within {} ms: {}", What(), timeout.count(), how);
  return Status::Error(
      fmt::format("{}; its log {} ends:\n{}", why, options_.log_path.string(), LogTail()));
}

void AppProcess::Stop(std::chrono::milliseconds grace) noexcept {
  if (!child_ || exit_status_ != -1) return;
  const ChildExit exit = child_->Stop(grace);
  exit_status_ = exit.status;
  cpu_seconds_ = exit.cpu_s;
  wall_seconds_ = Seconds(Clock::now() - started_at_);
}

ProcessMetrics AppProcess::Metrics() const noexcept {
  ProcessMetrics m;
  m.cpu_seconds = cpu_seconds_;
  m.wall_seconds = wall_seconds_;
  if (Running()) {
    m.cpu_seconds = child_->CpuSeconds();
    m.wall_seconds = Seconds(Clock::now() - started_at_);
  }
  m.mean_cpu_percent = m.wall_seconds > 0 ? 100.0 * m.cpu_seconds / m.wall_seconds : 0;
  return m;
}

std::string AppProcess::LogTail(int lines) const {
  const std::string tail = LogFileTail(options_.log_path, lines);
  return tail.empty() ? "(nothing)" : tail;
}

}  // namespace traceproof
