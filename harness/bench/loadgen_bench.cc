#include "bench/loadgen_bench.h"

#include <fmt/format.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <thread>

#include "bench/bench_figures.h"
#include "exit_codes.h"
#include "load/open_loop.h"
#include "process/child_process.h"

namespace traceproof {
namespace {

struct LoadgenFlags {
  double seconds = 5;
  int connections = 64;
  std::string path = "/";
  double target_ratio = 0.9;
  double open_loop_share = 0.9;  // of wrk's rate
  bool check = false;
  std::string figures_json;
  Reaper* reaper = nullptr;  // not a flag: main's, for wrk and the endpoint
};

// One client's figures against the endpoint.
struct ClientRun {
  double rate_per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double client_cpu_s = 0;
  double server_cpu_s = 0;
  std::uint64_t errors = 0;
};

double SelfCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto sec = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return sec(ru.ru_utime) + sec(ru.ru_stime);
}

// Server on CPU 0 and clients on CPU 1 when there are two, so neither client shares its core
// with the server; -1 (no pinning) on a single CPU.
struct Cpus {
  int server = -1;
  int client = -1;
};

Cpus ChooseCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0 || CPU_COUNT(&set) < 2) return {};
  Cpus cpus;
  for (int i = 0; i < CPU_SETSIZE; ++i) {
    if (!CPU_ISSET(i, &set)) continue;
    if (cpus.server < 0) {
      cpus.server = i;
    } else {
      cpus.client = i;
      break;
    }
  }
  return cpus;
}

// Pins the calling thread (and so the load generator's worker threads it creates) for its life.
class ScopedPin {
 public:
  explicit ScopedPin(int cpu) {
    if (cpu < 0) return;
    pinned_ = pthread_getaffinity_np(pthread_self(), sizeof old_, &old_) == 0;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pinned_ = pinned_ && pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
  }
  ~ScopedPin() {
    if (pinned_) pthread_setaffinity_np(pthread_self(), sizeof old_, &old_);
  }
  ScopedPin(const ScopedPin&) = delete;
  ScopedPin& operator=(const ScopedPin&) = delete;

 private:
  cpu_set_t old_{};
  bool pinned_ = false;
};

// "1.23ms" / "850.00us" / "1.02s" as wrk prints them.
double WrkMillis(const std::string& value, const std::string& unit) {
  double v = std::stod(value);
  if (unit == "us") return v / 1000;
  if (unit == "s") return v * 1000;
  if (unit == "m") return v * 60000;
  return v;
}

// A child pinned to `cpu` (-1: any), registered with the reaper.
ChildOptions PinnedChild(const LoadgenFlags& flags, int cpu) {
  ChildOptions o;
  o.cpu = cpu;
  o.reaper = flags.reaper;
  return o;
}

std::optional<ClientRun> RunWrk(const LoadgenFlags& flags, const std::string& url, int cpu,
                                const ChildProcess& server) {
  std::vector<std::string> argv = {
      "wrk",
      "-t1",
      fmt::format("-c{}", flags.connections),
      fmt::format("-d{}s", std::max(1, static_cast<int>(flags.seconds + 0.5))),
      "--latency",
      url};
  std::string error;
  const double server_cpu0 = server.CpuSeconds();
  auto wrk = SpawnChild(argv, error, PinnedChild(flags, cpu));
  if (!wrk) {
    fmt::print("  wrk: {} (scripts/bootstrap installs it)\n", error);
    return std::nullopt;
  }
  const ChildExit exit = wrk->Finish(false);
  const std::string out = wrk->Output();
  ClientRun run;
  run.server_cpu_s = server.CpuSeconds() - server_cpu0;
  run.client_cpu_s = exit.cpu_s;
  std::smatch m;
  if (exit.status != 0 || !std::regex_search(out, m, std::regex(R"(Requests/sec:\s+([0-9.]+))"))) {
    fmt::print("  wrk failed (exit {}):\n{}\n", exit.status, out);
    return std::nullopt;
  }
  run.rate_per_s = std::stod(m[1]);
  if (std::regex_search(out, m, std::regex(R"(\n\s+50%\s+([0-9.]+)(us|ms|s|m)\b)")))
    run.p50_ms = WrkMillis(m[1], m[2]);
  if (std::regex_search(out, m, std::regex(R"(\n\s+99%\s+([0-9.]+)(us|ms|s|m)\b)")))
    run.p99_ms = WrkMillis(m[1], m[2]);
  std::regex errors(R"(Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+))");
  if (std::regex_search(out, m, errors))
    run.errors = std::stoull(m[1]) + std::stoull(m[2]) + std::stoull(m[3]) + std::stoull(m[4]);
  if (std::regex_search(out, m, std::regex(R"(Non-2xx or 3xx responses:\s+(\d+))")))
    run.errors += std::stoull(m[1]);
  return run;
}

LoadStats RunOurs(const LoadgenFlags& flags, std::uint16_t port, std::optional<double> rate_per_s,
                  int cpu, const ChildProcess& server, ClientRun& run) {
  OpenLoopOptions o;
  LoadTarget target;
  target.port = port;
  target.path = flags.path;
  o.targets.push_back(target);
  const auto duration = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(flags.seconds));
  o.phases.push_back(ArrivalPhase::Constant(rate_per_s.value_or(1), duration));
  o.threads = 1;
  o.connections = flags.connections;
  o.closed_loop = !rate_per_s.has_value();
  ScopedPin pin(cpu);
  const double server_cpu0 = server.CpuSeconds();
  const double cpu0 = SelfCpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  LoadStats stats = RunOpenLoop(o);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  run.client_cpu_s = SelfCpuSeconds() - cpu0;
  run.server_cpu_s = server.CpuSeconds() - server_cpu0;
  // Over the time to the last answer (both modes answer in-flight requests after the window), so
  // an open-loop run that fell behind and drained a backlog late shows a lower rate.
  run.rate_per_s = static_cast<double>(stats.ok) / wall;
  // Closed loop has no intended start apart from the send; open loop reports corrected latency.
  const Histogram& h = o.closed_loop ? stats.uncorrected : stats.corrected;
  run.p50_ms = static_cast<double>(h.ValueAtPercentile(50)) / 1e6;
  run.p99_ms = static_cast<double>(h.ValueAtPercentile(99)) / 1e6;
  run.errors = stats.Errors();
  for (const auto& [status, n] : stats.by_status)
    if (status < 200 || status >= 300) run.errors += n;
  return stats;
}

void PrintRow(const std::string& tool, const ClientRun& run, const std::string& ratio,
              double seconds) {
  fmt::print("  {:<30} {:>10.0f} req/s {:>8.2f} ms {:>8.2f} ms {:>6.0f}% {:>6.0f}% {:>7} {}\n",
             tool, run.rate_per_s, run.p50_ms, run.p99_ms, 100 * run.client_cpu_s / seconds,
             100 * run.server_cpu_s / seconds, run.errors, ratio);
}

// The endpoint: the mock services' own HTTP server, one route with no steps and no tracing, so
// the figure is the HTTP path the scenario runner's targets use, with nothing on top.
struct Endpoint {
  std::unique_ptr<ChildProcess> server;
  std::uint16_t port = 0;
};

std::optional<Endpoint> StartEndpoint(const LoadgenFlags& flags, int cpu) {
  namespace fs = std::filesystem;
  const fs::path graph_file =
      fs::temp_directory_path() / fmt::format("traceproof-bench-loadgen-{}.yaml", getpid());
  {
    std::ofstream out(graph_file);
    out << "services:\n  endpoint:\n    tracing: false\n    routes:\n      \"GET " << flags.path
        << "\": []\n";
  }
  std::string error;
  Endpoint e;
  e.server = SpawnChild({"/proc/self/exe", "serve", graph_file.string(), "--threads", "1",
                         "--otlp-endpoint", "127.0.0.1:9"},
                        error, PinnedChild(flags, cpu));
  if (!e.server) {
    fmt::print(stderr, "bench loadgen: cannot start the endpoint: {}\n", error);
    fs::remove(graph_file);
    return std::nullopt;
  }
  auto line = e.server->WaitForLine("service endpoint listening on", std::chrono::seconds(10));
  fs::remove(graph_file);
  std::smatch m;
  if (!line || !std::regex_search(*line, m, std::regex(R"(:(\d+)$)"))) {
    e.server->Finish(true);
    fmt::print(stderr, "bench loadgen: the endpoint did not start:\n{}\n", e.server->Output());
    return std::nullopt;
  }
  e.port = static_cast<std::uint16_t>(std::stoi(m[1]));
  return e;
}

void PrintSetup(const LoadgenFlags& flags, const std::string& url, const Cpus& cpus) {
  fmt::print(
      "bench loadgen: GET {} against `traceproof serve` (1 thread, tracing off{}), "
      "{} connections, 1 client thread, {:.1f} s per run\n",
      url, cpus.server >= 0 ? fmt::format(", CPU {}", cpus.server) : "", flags.connections,
      flags.seconds);
  if (cpus.client >= 0)
    fmt::print("  clients pinned to CPU {}; other work on the machine shares both CPUs\n",
               cpus.client);
  else
    fmt::print("  one CPU: server and clients share it, figures are indicative only\n");
}

// Our closed loop against wrk's (measured), then our open loop at a fixed rate near wrk's: does
// the schedule hold with no drops? The exit code: whether the closed-loop ratio meets --target.
int CompareWithWrk(const LoadgenFlags& flags, const ClientRun& wrk, const ClientRun& ours,
                   const Endpoint& endpoint, int client_cpu) {
  const double ratio = ours.rate_per_s / wrk.rate_per_s;
  PrintRow("traceproof (closed loop)", ours, fmt::format("= {:.2f}x wrk", ratio), flags.seconds);
  const double ours_per_cpu =
      ours.client_cpu_s > 0 ? ours.rate_per_s * flags.seconds / ours.client_cpu_s : 0;
  const double wrk_per_cpu =
      wrk.client_cpu_s > 0 ? wrk.rate_per_s * flags.seconds / wrk.client_cpu_s : 0;
  if (ours_per_cpu > 0 && wrk_per_cpu > 0)
    fmt::print("  per client CPU-second: traceproof {:.0f} req, wrk {:.0f} req = {:.2f}x\n",
               ours_per_cpu, wrk_per_cpu, ours_per_cpu / wrk_per_cpu);
  const double rate = flags.open_loop_share * wrk.rate_per_s;
  ClientRun open;
  LoadStats st = RunOurs(flags, endpoint.port, rate, client_cpu, *endpoint.server, open);
  const bool held = st.dropped_iterations == 0 && st.Errors() == 0 &&
                    static_cast<double>(st.ok) >= 0.99 * static_cast<double>(st.scheduled) &&
                    open.rate_per_s >= 0.99 * rate;
  PrintRow(fmt::format("traceproof open loop {:.0f}/s", rate), open,
           fmt::format("{} of {} scheduled, {} dropped: {}", st.ok, st.scheduled,
                       st.dropped_iterations, held ? "held" : "NOT held"),
           flags.seconds);
  fmt::print(
      "  (open-loop latency is measured from the intended start: coordinated omission "
      "corrected)\n");
  const bool pass = ratio >= flags.target_ratio;
  fmt::print("  target: closed loop >= {:.2f}x wrk: {}\n", flags.target_ratio,
             pass ? "met" : "NOT met");
  std::vector<BenchFigure> figures = {
      {"bench loadgen: closed loop", ours.rate_per_s, "req/s", "wrk -t1", wrk.rate_per_s, ratio,
       fmt::format(">= {:.2f}x the peer", flags.target_ratio), pass, ""},
      {"bench loadgen: per client CPU-second", ours_per_cpu, "req/CPU-s", "wrk -t1", wrk_per_cpu,
       wrk_per_cpu > 0 ? ours_per_cpu / wrk_per_cpu : 0, ">= 1.0x the peer",
       ours_per_cpu > 0 && wrk_per_cpu > 0 ? std::optional<bool>(ours_per_cpu >= wrk_per_cpu)
                                           : std::nullopt,
       ""},
      {"bench loadgen: open loop at 0.9x wrk's rate", open.rate_per_s, "req/s", "", 0,
       rate > 0 ? open.rate_per_s / rate : 0, "held, no drops", held, ""}};
  if (!WriteFigures(flags.figures_json, figures)) return kExitEnvironment;
  return flags.check && !pass ? kExitCheckFailed : kExitOk;
}

int RunLoadgenBench(const LoadgenFlags& flags) {
  const Cpus cpus = ChooseCpus();
  std::optional<Endpoint> endpoint = StartEndpoint(flags, cpus.server);
  if (!endpoint) return kExitEnvironment;
  ChildProcess& server = *endpoint->server;
  const std::string url = fmt::format("http://127.0.0.1:{}{}", endpoint->port, flags.path);
  PrintSetup(flags, url, cpus);

  // Warm the server (accept queue, allocator) so the first measured tool is not penalized.
  {
    LoadgenFlags warm = flags;
    warm.seconds = 0.5;
    ClientRun ignored;
    RunOurs(warm, endpoint->port, std::nullopt, cpus.client, server, ignored);
  }
  const auto wrk = RunWrk(flags, url, cpus.client, server);
  ClientRun ours;
  RunOurs(flags, endpoint->port, std::nullopt, cpus.client, server, ours);

  fmt::print("  {:<30} {:>16} {:>11} {:>11} {:>7} {:>7} {:>7}\n", "tool", "rate", "p50", "p99",
             "client", "server", "errors");
  fmt::print("  {:<30} {:>16} {:>11} {:>11} {:>7} {:>7}\n", "", "", "", "", "CPU", "CPU");
  if (wrk) PrintRow("wrk -t1 (closed loop)", *wrk, "", flags.seconds);
  int exit_code = kExitOk;
  if (wrk && wrk->rate_per_s > 0) {
    exit_code = CompareWithWrk(flags, *wrk, ours, *endpoint, cpus.client);
  } else {
    PrintRow("traceproof (closed loop)", ours, "(no wrk figure to compare)", flags.seconds);
    exit_code = kExitEnvironment;
  }
  server.Finish(true);
  return exit_code;
}

}  // namespace

CommandRun AddLoadgenBench(CLI::App& bench, const CommandContext& context) {
  auto flags = std::make_shared<LoadgenFlags>();
  CLI::App* cmd = bench.add_subcommand(
      "loadgen",
      "Load generator req/s on one core beside wrk against the same endpoint, and "
      "its open-loop mode at a fixed rate near wrk's");
  cmd->add_option("--seconds", flags->seconds, "Duration of each run")
      ->check(CLI::Range(1.0, 600.0))
      ->capture_default_str();
  cmd->add_option("--connections", flags->connections, "Connections, both tools")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--path", flags->path, "Path requested")->capture_default_str();
  cmd->add_option("--target", flags->target_ratio, "Closed-loop ratio to wrk that --check wants")
      ->check(CLI::Range(0.0, 10.0))
      ->capture_default_str();
  cmd->add_option("--open-loop-share", flags->open_loop_share,
                  "Open-loop rate as a share of wrk's measured rate")
      ->check(CLI::Range(0.01, 2.0))
      ->capture_default_str();
  cmd->add_flag("--check", flags->check, "Exit 1 when the closed-loop ratio is below --target");
  AddFiguresOption(*cmd, flags->figures_json);
  return [flags, &context] {
    flags->reaper = context.reaper;
    return RunLoadgenBench(*flags);
  };
}

}  // namespace traceproof
