#include "bench/all_bench.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench/bench_figures.h"
#include "exit_codes.h"
#include "process/child_process.h"

namespace traceproof {
namespace {

namespace fs = std::filesystem;

struct AllFlags {
  bool quick = false;
  std::string json;  // also write the table here
  std::string out;   // where each bench's log and figures go
  std::string collector_config;
  Reaper* reaper = nullptr;  // not a flag: main's
};

struct BenchRun {
  std::string name;
  std::vector<std::string> args;  // after `traceproof bench NAME`
};

// The benches and their arguments: --quick shortens every measurement (a smoke run, figures
// noisier), the default is what each bench's own defaults measure.
std::vector<BenchRun> Plan(const AllFlags& f, const fs::path& out) {
  const bool q = f.quick;
  return {
      {"ingest", q ? std::vector<std::string>{"--seconds", "0.5", "--e2e-seconds", "1"}
                   : std::vector<std::string>{}},
      {"tracer", {"--seconds", q ? "0.5" : "2"}},
      {"services", q ? std::vector<std::string>{"--seconds", "2", "--peer-seconds", "2"}
                     : std::vector<std::string>{}},
      {"loadgen", {"--seconds", q ? "1" : "5"}},
      {"collector",
       {f.collector_config, "--out", (out / "collector").string(), "--trial-seconds", q ? "1" : "3",
        "--bisect", q ? "1" : "3", "--max-rate", q ? "100000" : "400000"}},
  };
}

// Runs one bench to its end; its figures, or none with `error`.
std::optional<std::vector<BenchFigure>> RunOne(const BenchRun& b, const fs::path& out,
                                               Reaper* reaper, std::string& error) {
  const fs::path figures = out / (b.name + ".json");
  const fs::path log = out / (b.name + ".log");
  fs::remove(figures);
  std::vector<std::string> argv = {fs::read_symlink("/proc/self/exe").string(), "bench", b.name};
  argv.insert(argv.end(), b.args.begin(), b.args.end());
  argv.insert(argv.end(), {"--figures-json", figures.string()});
  ChildOptions options;
  options.reaper = reaper;
  options.die_with_parent = true;
  options.output_file = log;
  std::unique_ptr<ChildProcess> child = SpawnChild(argv, error, options);
  if (!child) return std::nullopt;
  const ChildExit exit = child->Finish(false);
  if (exit.status != 0 && exit.status != kExitCheckFailed) {
    error = fmt::format("exited {} (its output: {})", exit.status, log.string());
    return std::nullopt;
  }
  return ReadFigures(figures.string(), error);
}

std::string Number(double v) {
  if (v == 0) return "-";
  if (v >= 1e6) return fmt::format("{:.2f} M", v / 1e6);
  if (v >= 1e4) return fmt::format("{:.0f} k", v / 1e3);
  return fmt::format("{:.1f}", v);
}

std::string MetText(const BenchFigure& f) {
  if (!f.met) return "not measured";
  return *f.met ? "met" : "NOT met";
}

void PrintTable(const std::vector<BenchFigure>& figures) {
  fmt::print("\n{:<44} {:>10} {:<20} {:<32} {:>10} {:>7}  {:<44} {}\n", "figure", "value", "unit",
             "peer", "peer", "ratio", "goal", "");
  for (const BenchFigure& f : figures) {
    fmt::print("{:<44} {:>10} {:<20} {:<32} {:>10} {:>7}  {:<44} {}{}\n", f.figure, Number(f.value),
               f.unit, f.peer.empty() ? "-" : f.peer, Number(f.peer_value),
               f.ratio > 0 ? fmt::format("{:.2f}", f.ratio) : "-", f.goal, MetText(f),
               f.note.empty() ? "" : " (" + f.note + ")");
  }
}

nlohmann::json TableJson(const std::vector<BenchFigure>& figures,
                         const std::vector<std::string>& failed, bool quick) {
  nlohmann::json rows = nlohmann::json::array();
  for (const BenchFigure& f : figures)
    rows.push_back({{"figure", f.figure},
                    {"value", f.value},
                    {"unit", f.unit},
                    {"peer", f.peer},
                    {"peer_value", f.peer_value},
                    {"ratio", f.ratio},
                    {"goal", f.goal},
                    {"met", f.met ? nlohmann::json(*f.met) : nlohmann::json(nullptr)},
                    {"note", f.note}});
  return {{"quick", quick},
          {"cores", std::thread::hardware_concurrency()},
          {"figures", rows},
          {"failed_benches", failed}};
}

int RunAll(const AllFlags& flags) {
  const fs::path out = flags.out.empty() ? fs::temp_directory_path() /
                                               ("traceproof-bench-all-" + std::to_string(getpid()))
                                         : fs::path(flags.out);
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) {
    std::cerr << "traceproof bench all: cannot create '" << out.string() << "': " << ec.message()
              << "\n";
    return kExitEnvironment;
  }
  std::vector<BenchFigure> figures;
  std::vector<std::string> failed;
  const std::vector<BenchRun> plan = Plan(flags, out);
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    fmt::print(stderr, "bench all: {} ({}/{}), output in {}\n", plan[i].name, i + 1, plan.size(),
               (out / (plan[i].name + ".log")).string());
    std::string error;
    auto got = RunOne(plan[i], out, flags.reaper, error);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!got) {
      fmt::print(stderr, "bench all: {} failed after {:.0f} s: {}\n", plan[i].name, s, error);
      failed.push_back(plan[i].name + ": " + error);
      continue;
    }
    fmt::print(stderr, "bench all: {} done in {:.0f} s, {} figures\n", plan[i].name, s,
               got->size());
    figures.insert(figures.end(), got->begin(), got->end());
  }
  PrintTable(figures);
  for (const std::string& f : failed) fmt::print("failed: {}\n", f);
  if (!flags.json.empty()) {
    std::ofstream j(flags.json, std::ios::trunc);
    j << TableJson(figures, failed, flags.quick).dump(2) << "\n";
    if (!j) {
      std::cerr << "traceproof bench all: cannot write " << flags.json << "\n";
      return kExitEnvironment;
    }
  }
  if (!failed.empty()) return kExitEnvironment;
  const bool all_met = std::all_of(figures.begin(), figures.end(),
                                   [](const BenchFigure& f) { return f.met.value_or(false); });
  return all_met ? kExitOk : kExitCheckFailed;
}

}  // namespace

CommandRun AddAllBench(CLI::App& bench, const CommandContext& context) {
  auto flags = std::make_shared<AllFlags>();
  flags->collector_config =
      (fs::path(TRACEPROOF_SOURCE_DIR) / "compose" / "collector" / "bench" / "batch-1s-1024.yaml")
          .string();
  CLI::App* cmd = bench.add_subcommand(
      "all",
      "Every benchmark beside its peer, each in its own process (ingest, tracer, services,\n"
      "loadgen, collector), then one table: figure, peer, ratio, goal, met / not met.\n"
      "Exit codes: 0 every goal met, 1 a goal not met or not measured (a peer missing),\n"
      "3 a bench could not run (its log is named).");
  cmd->add_flag("--quick", flags->quick,
                "Short measurements (a smoke run: the figures are noisier, the table the same)");
  cmd->add_option("--json", flags->json, "Also write the table as JSON here");
  cmd->add_option("--out", flags->out,
                  "Keep each bench's output and figures here (default: a temporary folder)");
  cmd->add_option("--collector-config", flags->collector_config,
                  "The Collector config `bench collector` measures beside the sink")
      ->capture_default_str();
  return [flags, &context] {
    flags->reaper = context.reaper;
    return RunAll(*flags);
  };
}

}  // namespace traceproof
