// `traceproof run SCENARIO.yaml`: the product's main job. Loads the scenario (errors are
// file:line:col, exit 2), runs it (scenario_runner.h) with a progress line, prints the report
// and writes summary.json, junit.xml, traces.jsonl (as traces complete), ground_truth.jsonl,
// run_data.json, histograms/, report.txt and report.html (and collector.log for a scenario
// with a Collector) to results/<scenario>/<UTC time>/ (or --out). Ctrl-C stops the load, and the
// report of what ran so far is still written.
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "endpoint.h"
#include "exit_codes.h"
#include "listen_warning.h"
#include "otlp_target.h"
#include "receiver/tls.h"
#include "report/evidence_reservoir.h"
#include "report/job_summary.h"
#include "report/report_html.h"
#include "report/results_writer.h"
#include "report/run_text.h"
#include "report/trace_record_writer.h"
#include "report/tree_text.h"
#include "run/scenario_runner.h"
#include "scenario/load_scenario.h"
#include "shard/shard_manifest.h"
#include "stop_signals.h"
#include "tracing/client_tls.h"

namespace traceproof {
namespace {

namespace fs = std::filesystem;

struct RunFlags {
  std::string scenario;
  std::string out;
  int service_threads = 2;
  int load_threads = 1;
  int connections = 256;
  bool no_traces = false;      // the same as --traces none
  std::string traces = "all";  // report/trace_record_writer.h: all, failing, sample, none
  bool gzip_traces = false;
  std::string sink_listen;                   // HOST:PORT for the sink's OTLP/gRPC receiver
  std::string sink_listen_http;              // HOST:PORT for its OTLP/HTTP receiver
  std::string forward_to;                    // [https://]HOST:PORT, OTLP/gRPC
  std::vector<std::string> require_headers;  // NAME=VALUE, ${ENV} expanded; never printed
  std::string tls_cert, tls_key;             // PEM files; empty: the scenario's sink.tls, if any
  std::string summary_md;                    // the job summary (also $GITHUB_STEP_SUMMARY when set)
  CompareRequest baseline;                   // base set: compare the results with it after the run
  std::string shard;            // I/N: this process sends its share (shard/shard_manifest.h)
  std::string start_at;         // YYYY-MM-DDTHH:MM:SSZ: the load phases' common start
  std::uint64_t seed = 1;       // the arrival schedule's (every shard the same)
  bool keep_latencies = false;  // latencies.txt: every answer's corrected latency (tests)
};

// --shard, --start-at and --seed into the run's options; an error message when one is invalid.
std::optional<std::string> ParseShardFlags(const RunFlags& flags, RunOptions& options) {
  if (!flags.shard.empty()) {
    std::string error;
    const std::optional<ShardSlice> slice = ParseShardSlice(flags.shard, error);
    if (!slice) return "--shard " + error;
    options.shard = slice->index;
    options.shards = slice->count;
  }
  if (!flags.start_at.empty()) {
    std::tm tm{};
    const char* end = strptime(flags.start_at.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!end || *end != '\0')
      return "--start-at '" + flags.start_at + "': want a UTC time, YYYY-MM-DDTHH:MM:SSZ";
    options.load_start_at = std::chrono::system_clock::from_time_t(timegm(&tm));
  }
  if (options.shards > 1 && (flags.no_traces || flags.traces != "all"))
    return "--shard with --no-traces or --traces " + flags.traces +
           ": a merge joins the shards' traces and ground truth, so they must all be recorded";
  options.arrival_seed = flags.seed;
  options.keep_latencies = flags.keep_latencies;
  return std::nullopt;
}

// shard.json, what `traceproof merge` checks a set of shards with; false when not written.
bool WriteShardManifest(const fs::path& out_dir, const RunFlags& flags, const Scenario& scenario,
                        const RunOptions& options) {
  std::ifstream in(flags.scenario, std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ShardManifest m;
  m.slice = ShardSlice{options.shard, options.shards};
  m.seed = options.arrival_seed;
  m.scenario_name = scenario.name;
  m.scenario_file = scenario.file;
  m.scenario_digest = ScenarioDigest(bytes);
  m.traceproof_version = TRACEPROOF_VERSION;
  m.start_at = flags.start_at;
  return WriteTextFile(out_dir / "shard.json", ShardManifestJson(m).dump(2) + "\n");
}

// evidence.jsonl: the traces the run kept whole (report/evidence_reservoir.h), for a run that
// wrote fewer than all of them to traces.jsonl; the report reads it when traces.jsonl is absent.
bool WriteEvidence(const fs::path& out_dir, const EvidenceReservoir& reservoir) {
  TraceRecordWriter evidence((out_dir / "evidence.jsonl").string(), TraceRecords::kAll, false);
  for (const auto& trace : reservoir.Kept()) evidence.Write(*trace);
  return evidence.Close();
}

bool WriteLatencies(const fs::path& path, const std::vector<std::int64_t>& latencies_ns) {
  std::string text;
  for (const std::int64_t ns : latencies_ns) text += std::to_string(ns) + "\n";
  return WriteTextFile(path, text);
}

std::string UtcStamp(bool for_path) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, for_path ? "%Y%m%dT%H%M%SZ" : "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The checks on a sample of settled requests while the load runs (run/checks_so_far.h).
std::string SoFar(const RunProgress& p) {
  if (p.checks_so_far_requests == 0) return "";
  if (p.failing_so_far.empty())
    return fmt::format(", no failing checks so far ({} requests sampled)",
                       p.checks_so_far_requests);
  return fmt::format(", failing so far: {} ({} requests sampled)",
                     fmt::join(p.failing_so_far, ", "), p.checks_so_far_requests);
}

// One line, rewritten in place on a terminal; a plain log line every 5 s otherwise (CI logs).
// Thread-safe: the run thread updates it, the signal watcher logs through it.
class ProgressPrinter {
 public:
  ProgressPrinter() : tty_(isatty(STDERR_FILENO)) {}
  void Update(const RunProgress& p) {
    std::lock_guard lock(mu_);
    const std::string line = fmt::format(
        "[{} {:.0f}/{:.0f} s] {:.0f} req/s, {} sent, p99 {} (corrected), {} spans received{}{}{}",
        p.phase, p.elapsed_s, p.phase_total_s, p.rate_per_s, p.requests_sent,
        FormatDuration(static_cast<std::int64_t>(p.p99_corrected_ns)), p.spans_received,
        p.errors ? fmt::format(", {} errors", p.errors) : "",
        p.dropped_iterations ? fmt::format(", {} dropped", p.dropped_iterations) : "", SoFar(p));
    if (tty_) {
      fmt::print(stderr, "\r\033[K{}", line);
      dirty_ = true;
    } else if (p.elapsed_s - last_logged_ >= 5 || last_logged_ < 0) {
      fmt::print(stderr, "{}\n", line);
      last_logged_ = p.elapsed_s;
    }
    std::fflush(stderr);
  }
  void Log(const std::string& line) {
    std::lock_guard lock(mu_);
    if (dirty_) fmt::print(stderr, "\r\033[K");
    dirty_ = false;
    last_logged_ = -1;
    fmt::print(stderr, "{}\n", line);
    std::fflush(stderr);
  }

 private:
  std::mutex mu_;
  bool tty_;
  bool dirty_ = false;
  double last_logged_ = -1;
};

// Signals go to one watcher thread, so every other thread (receivers, services, load) runs
// undisturbed and Ctrl-C becomes a flag the runner polls. Watches from construction to
// destruction; `printer` must outlive it.
class StopWatcher {
 public:
  StopWatcher(sigset_t signals, ProgressPrinter& printer)
      : signals_(signals), thread_([this, &printer] { Watch(printer); }) {}
  ~StopWatcher() {
    finished_ = true;
    thread_.join();
  }
  StopWatcher(const StopWatcher&) = delete;
  StopWatcher& operator=(const StopWatcher&) = delete;

  const std::atomic<bool>* stop() const { return &stop_; }

 private:
  void Watch(ProgressPrinter& printer) {
    while (!finished_) {
      timespec tick{0, 100'000'000};
      if (sigtimedwait(&signals_, nullptr, &tick) > 0) {
        stop_ = true;
        printer.Log("traceproof run: stopping (signal); the report will cover what ran");
      }
    }
  }

  sigset_t signals_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  std::thread thread_;  // last: it starts once the members it reads exist
};

// --tls-cert/--tls-key: the run's sink over TLS, as a scenario's `sink: { tls: { cert, key } }`
// (which they replace), its own senders trusting what the file holds (the mocks pin the leaf;
// an app's SDK may need the CA at its end) and verifying "localhost". Mutual TLS needs the scenario's
// section: the run's senders need a client certificate then.
std::optional<int> SinkTlsFlags(const RunFlags& flags, RunOptions& options) {
  if (flags.tls_cert.empty() && flags.tls_key.empty()) return std::nullopt;
  std::string error;
  if (flags.tls_cert.empty() || flags.tls_key.empty()) {
    std::cerr << "traceproof run: --tls-cert and --tls-key go together\n";
    return kExitUsage;
  }
  std::optional<ReceiverTls> server = ReadReceiverTls(flags.tls_cert, flags.tls_key, "", error);
  SinkTlsSpec tls;
  if (server) {
    tls.server = std::move(*server);
    tls.client.ca_pem = tls.server.cert_chain_pem;
    tls.client.server_name = "localhost";
    tls.ca_file = flags.tls_cert;
  }
  if (!server || !TlsUsable(tls.server, error) || !MakeClientTlsContext(tls.client, error)) {
    std::cerr << "traceproof run: " << error << "\n";
    return kExitUsage;
  }
  options.sink_tls = std::move(tls);
  return std::nullopt;
}

// The sink's listen addresses and --forward-to; an exit code when one is invalid.
std::optional<int> ParseSinkFlags(const RunFlags& flags, RunOptions& options) {
  try {
    if (!flags.sink_listen.empty()) {
      if (auto ep = ParseEndpoint("--sink-listen", flags.sink_listen)) {
        options.sink_grpc_host = ep->host;
        options.sink_grpc_port = ep->port;
      }
    }
    if (!flags.sink_listen_http.empty()) {
      if (auto ep = ParseEndpoint("--sink-listen-http", flags.sink_listen_http)) {
        options.sink_http_host = ep->host;
        options.sink_http_port = ep->port;
      }
    }
    if (!flags.forward_to.empty()) options.forward = ResolveForwarder(flags.forward_to, getenv);
  } catch (const std::invalid_argument& e) {
    std::cerr << "traceproof run: " << e.what() << "\n";
    return kExitUsage;
  }
  std::string error;
  std::optional<RequiredHeaders> headers = ParseRequiredHeaders(flags.require_headers, error);
  if (!headers) {
    std::cerr << "traceproof run: --require-header " << error << "\n";
    return kExitUsage;
  }
  options.sink_required_headers = std::move(*headers);
  return SinkTlsFlags(flags, options);
}

// --sink-listen beyond loopback with no header required: said on stderr, not refused.
void WarnIfExposed(const Scenario& scenario, const RunOptions& options) {
  const bool authenticated =
      !options.sink_required_headers.empty() || options.sink_tls ||
      (scenario.sink && (!scenario.sink->require_headers.empty() || scenario.sink->tls));
  auto warn = [&](const char* what, const std::string& host, std::uint16_t port) {
    const std::string warning =
        SinkExposureWarning("run", what, host, fmt::format("{}:{}", host, port), authenticated);
    if (!warning.empty()) std::cerr << warning << "\n";
  };
  warn("the sink's OTLP/gRPC receiver (--sink-listen)", options.sink_grpc_host,
       options.sink_grpc_port);
  warn("the sink's OTLP/HTTP receiver (--sink-listen-http)", options.sink_http_host,
       options.sink_http_port);
}

// The run itself, with the progress line on stderr and Ctrl-C as its stop flag.
RunOutcome RunWithProgress(const RunFlags& flags, const Scenario& scenario, RunOptions options,
                           Reaper* reaper) {
  ProgressPrinter printer;
  StopWatcher watcher(BlockStopSignals(), printer);
  printer.Log(fmt::format("traceproof run: {} ({})", scenario.name, flags.scenario));
  options.service_threads = flags.service_threads;
  options.load_threads = flags.load_threads;
  options.load_connections = flags.connections;
  options.stop = watcher.stop();
  options.reaper = reaper;
  options.on_progress = [&](const RunProgress& p) { printer.Update(p); };
  options.log = [&](const std::string& line) { printer.Log("  " + line); };
  return RunScenario(scenario, options);
}

// After the results are written: the job summary, then the comparison with --baseline.
int SummaryAndBaseline(const RunFlags& flags, const Scenario& scenario, const RunOutcome& outcome,
                       const RunVerdict& verdict, const fs::path& out_dir) {
  std::string error;
  const char* step_summary = std::getenv("GITHUB_STEP_SUMMARY");
  if (!WriteJobSummary(RunSummaryMarkdown(scenario, outcome, verdict), flags.summary_md,
                       step_summary ? step_summary : "", error)) {
    std::cerr << "traceproof run: " << error << "\n";
    return kExitEnvironment;
  }
  const int exit_code = verdict.as_expected ? kExitOk : kExitCheckFailed;
  if (flags.baseline.base.empty()) return exit_code;
  // Compared after the run (its own verdict stands): the worse of the two exit codes.
  CompareRequest compare = flags.baseline;
  compare.current = out_dir.string();
  compare.summary_md = flags.summary_md;
  compare.append_summary_md = true;
  fmt::print("\ncompared with the baseline {}\n", compare.base);
  return std::max(exit_code, RunCompare(compare));
}

// ground_truth.jsonl, written as the run hands its ground truth to the checks, so the run need
// not keep it (`traceproof check` reads it back); none with --traces none.
std::unique_ptr<std::ofstream> WriteTruthAsItComes(const fs::path& out_dir, TraceRecords which,
                                                   RunOptions& options) {
  if (which == TraceRecords::kNone) return nullptr;
  auto file = std::make_unique<std::ofstream>(out_dir / "ground_truth.jsonl", std::ios::trunc);
  options.on_truth = [f = file.get()](const GroundTruthSpan& s) {
    *f << GroundTruthToJson(s) << '\n';
  };
  options.on_inbound = [f = file.get()](const InboundRecord& r) { *f << InboundToJson(r) << '\n'; };
  return file;
}

bool Closed(std::ofstream* file) {
  if (!file) return true;
  file->close();
  return !file->fail();
}

int RunRun(const RunFlags& flags, Reaper* reaper) {
  Scenario scenario;
  try {
    scenario = LoadScenarioFile(flags.scenario);
  } catch (const LoadError& e) {
    std::cerr << "traceproof run: " << e.what() << "\n";
    return kExitUsage;
  }
  RunOptions options;
  if (const std::optional<int> bad = ParseSinkFlags(flags, options)) return *bad;
  WarnIfExposed(scenario, options);
  if (const std::optional<std::string> bad = ParseShardFlags(flags, options)) {
    std::cerr << "traceproof run: " << *bad << "\n";
    return kExitUsage;
  }
  if (!flags.baseline.base.empty() && !fs::exists(fs::path(flags.baseline.base) / "summary.json")) {
    std::cerr << "traceproof run: --baseline " << flags.baseline.base
              << " is not a results folder of `traceproof run`: it has no summary.json\n";
    return kExitUsage;
  }
  const std::string started_utc = UtcStamp(false);
  const fs::path out_dir = flags.out.empty() ? fs::path("results") / scenario.name / UtcStamp(true)
                                             : fs::path(flags.out);
  std::error_code ec;
  fs::create_directories(out_dir / "histograms", ec);
  if (ec) {
    std::cerr << "traceproof run: cannot create output directory '" << out_dir.string()
              << "': " << ec.message() << "\n";
    return kExitEnvironment;
  }

  options.apps_log_dir = out_dir / "apps";
  const TraceRecords which =
      flags.no_traces ? TraceRecords::kNone : *ParseTraceRecords(flags.traces);
  TraceRecordWriter traces(
      (out_dir / (flags.gzip_traces ? "traces.jsonl.gz" : "traces.jsonl")).string(), which,
      flags.gzip_traces);
  if (!traces.ok()) {
    std::cerr << "traceproof run: cannot write traces to '" << out_dir.string() << "'\n";
    return kExitEnvironment;
  }
  EvidenceReservoir evidence;
  options.on_trace = [&traces, &evidence, which](const Trace& t) {
    traces.Write(t);
    if (which != TraceRecords::kAll) evidence.Add(t);
  };
  const std::unique_ptr<std::ofstream> truth = WriteTruthAsItComes(out_dir, which, options);
  const RunOutcome outcome = RunWithProgress(flags, scenario, options, reaper);
  RunVerdict verdict;
  verdict.checks_passed = outcome.ChecksPassed();
  verdict.as_expected = outcome.AsExpected(scenario.expect, verdict.why);
  const std::string report = RunReportText(scenario, outcome, verdict);
  fmt::print("\n{}", report);
  bool wrote = WriteTextFile(out_dir / "report.txt", report);
  wrote &= WriteResults(out_dir, scenario, outcome, verdict, started_utc, which);
  wrote &= traces.Close();
  if (which != TraceRecords::kAll) wrote &= WriteEvidence(out_dir, evidence);
  if (!flags.shard.empty()) wrote &= WriteShardManifest(out_dir, flags, scenario, options);
  if (flags.keep_latencies)
    wrote &= WriteLatencies(out_dir / "latencies.txt", outcome.data.load.latencies_ns);
  wrote &= Closed(truth.get());
  fmt::print("results in {}\n", out_dir.string());
  // Last: it reads the files just written (report/report_html.h), as `traceproof report` does.
  std::string report_error;
  if (const auto page = WriteReportHtml(out_dir, ReportOptions{}, report_error))
    fmt::print("report {}\n", page->path.string());
  else
    wrote = false, std::cerr << "traceproof run: " << report_error << "\n";
  if (!wrote) {
    std::cerr << "traceproof run: writing results to '" << out_dir.string() << "' failed\n";
    return kExitEnvironment;
  }
  if (outcome.status == RunOutcome::Status::kEnvironmentError) {
    std::cerr << "traceproof run: " << outcome.error << "\n";
    return kExitEnvironment;
  }
  return SummaryAndBaseline(flags, scenario, outcome, verdict, out_dir);
}

// Where the run's sink listens, what it requires, where it forwards to.
void AddSinkFlags(CLI::App& cmd, RunFlags& flags) {
  cmd.add_option("--sink-listen", flags.sink_listen,
                 "Where the embedded sink's OTLP/gRPC receiver listens, e.g. 0.0.0.0:4317 for a\n"
                 "Collector in another container (default 127.0.0.1 on a free port)");
  cmd.add_option("--sink-listen-http", flags.sink_listen_http,
                 "The same for its OTLP/HTTP receiver, e.g. 0.0.0.0:4318");
  cmd.add_option("--require-header", flags.require_headers,
                 "NAME=VALUE the embedded sink requires of every export, e.g.\n"
                 "'authorization=Bearer ${TOKEN}' (${TOKEN} from the environment); as\n"
                 "`sink: { require_headers }` in the scenario. The run's services, apps and\n"
                 "span load send it. Repeatable; values never printed")
      ->type_name("NAME=VALUE");
  cmd.add_option("--tls-cert", flags.tls_cert,
                 "The embedded sink's certificate chain (PEM): both receivers over TLS 1.2+, as\n"
                 "`sink: { tls: { cert, key } }` in the scenario (replaced). The run's services\n"
                 "and apps trust it and verify the name localhost; for mutual TLS, another CA or\n"
                 "another name, use the scenario's section (docs/scenarios.md)")
      ->type_name("FILE");
  cmd.add_option("--tls-key", flags.tls_key, "The key of --tls-cert (PEM)")->type_name("FILE");
  cmd.add_option("--forward-to", flags.forward_to,
                 "Pass every export request the sink accepted on to this OTLP/gRPC receiver\n"
                 "(e.g. jaeger:4317), to browse the checked traces; failures are counted.\n"
                 "https://HOST:PORT for TLS; OTEL_EXPORTER_OTLP_[TRACES_]CERTIFICATE,\n"
                 "_CLIENT_CERTIFICATE, _CLIENT_KEY, _HEADERS, _TIMEOUT and _COMPRESSION apply\n"
                 "to it (the run's own services never read them)")
      ->type_name("URL");
}

}  // namespace

CommandRun AddRunCommand(CLI::App& app, const CommandContext& context) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Run a scenario: start the embedded sink and the mock services, put the scenario's load\n"
      "on them (open loop: requests start on schedule, latency measured from the intended\n"
      "start), wait for spans to drain, run the checks and report.\n"
      "Writes summary.json, junit.xml, report.txt, report.html, traces.jsonl,\n"
      "ground_truth.jsonl, run_data.json and histograms/ to results/<scenario>/<UTC time>/ (or "
      "--out); judge them\n"
      "again later with `traceproof check DIR`. Checks stream: each trace is judged as it\n"
      "completes and leaves memory, so a run of any length stays flat. Ctrl-C stops the load "
      "early;\n"
      "the report still covers what ran. While the load runs, the progress line names the\n"
      "checks failing so far, judged every 2 s on a sample of requests that have settled\n"
      "(only checks a sample can fail soundly; not with a Collector in the loop).\n"
      "Exit codes: 0 the verdict is what the scenario expects (all checks pass, or the\n"
      "failures it declares with `expect:`), 1 a check failed (or the run was interrupted),\n"
      "2 invalid scenario or flags, 3 environment failure (port busy, service did not start).\n"
      "Scenario format: docs/scenarios.md; check one without running: traceproof validate.");
  cmd->add_option("scenario", flags->scenario, "Scenario YAML file (see scenarios/)")->required();
  cmd->add_option("--out", flags->out, "Write results to DIR instead of results/<name>/<time>/");
  cmd->add_option("--threads", flags->service_threads, "Threads serving the mock services")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--load-threads", flags->load_threads,
                  "Load generator worker threads (share-nothing)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--connections", flags->connections,
                  "Most keep-alive connections the load generator opens (over all threads); "
                  "a phase's `connections:` overrides it")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  AddSinkFlags(*cmd, *flags);
  cmd->add_option("--traces", flags->traces,
                  "Which traces traces.jsonl keeps, written as each trace completes: all (what\n"
                  "`traceproof check` needs to judge the run again exactly), failing (an ERROR\n"
                  "span, an orphan, no or several roots), sample (1 trace in 100, plus the\n"
                  "failing ones) or none. The checks always see every trace; memory stays flat.")
      ->check(CLI::IsMember({"all", "failing", "sample", "none"}))
      ->capture_default_str();
  cmd->add_flag("--gzip-traces", flags->gzip_traces,
                "Write traces.jsonl.gz instead (about a tenth of the size)");
  cmd->add_flag("--no-traces", flags->no_traces,
                "--traces none, and no ground_truth.jsonl either (the longest runs)");
  cmd->add_option("--summary-md", flags->summary_md,
                  "Write a Markdown job summary here (verdict, checks, slowest trace); it is also\n"
                  "appended to $GITHUB_STEP_SUMMARY when that is set");
  cmd->add_option("--baseline", flags->baseline.base,
                  "After the run, compare its results with this results folder, as `traceproof\n"
                  "compare DIR RESULTS` does (compare.json and compare.html in the results); the\n"
                  "exit code is the worse of the run's and the comparison's");
  AddCompareThresholds(*cmd, flags->baseline);
  cmd->add_option("--shard", flags->shard,
                  "I/N: run shard I of N (from 0). Every shard computes the whole arrival\n"
                  "schedule from --seed and sends the arrivals whose index mod N is I, so N\n"
                  "shards together send the scenario's schedule exactly; each runs its own mock\n"
                  "services and writes shard.json beside its results. Join them with\n"
                  "`traceproof merge DIR... --out DIR` for the one verdict");
  cmd->add_option("--start-at", flags->start_at,
                  "YYYY-MM-DDTHH:MM:SSZ: begin the load phases at this UTC time (after the\n"
                  "warm-up), so shards started apart line up");
  cmd->add_option("--seed", flags->seed,
                  "The arrival schedule's seed (Poisson draws); shards of one run share it")
      ->capture_default_str();
  cmd->add_flag("--keep-latencies", flags->keep_latencies,
                "Write latencies.txt: every answer's corrected latency in ns (for tests)")
      ->group("");
  return [flags, &context] { return RunRun(*flags, context.reaper); };
}

}  // namespace traceproof
