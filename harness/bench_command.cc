// `traceproof bench ...`: benchmarks that report a ratio against a peer measured in the same
// run, never a bare number (STYLE.md).
#include "bench/all_bench.h"
#include "bench/collector_bench.h"
#include "bench/ingest_bench.h"
#include "bench/loadgen_bench.h"
#include "bench/services_bench.h"
#include "bench/soak_bench.h"
#include "bench/tracer_bench.h"
#include "commands.h"

namespace traceproof {

CommandRun AddBenchCommand(CLI::App& app, const CommandContext& context) {
  CLI::App* bench = app.add_subcommand("bench",
                                       "Benchmarks, each beside a peer measured in the "
                                       "same run");
  bench->require_subcommand(1);
  CommandRun ingest = AddIngestBench(*bench);
  CommandRun send = AddSendBench(*bench);
  CommandRun tracer = AddTracerBench(*bench);
  CommandRun loadgen = AddLoadgenBench(*bench, context);
  CommandRun services = AddServicesBench(*bench, context);
  CommandRun collector = AddCollectorBench(*bench, context);
  CommandRun soak = AddSoakBench(*bench, context);
  CommandRun all = AddAllBench(*bench, context);
  return [bench, ingest, send, tracer, loadgen, services, collector, soak, all] {
    if (bench->got_subcommand("tracer")) return tracer();
    if (bench->got_subcommand("ingest")) return ingest();
    if (bench->got_subcommand("send")) return send();
    if (bench->got_subcommand("loadgen")) return loadgen();
    if (bench->got_subcommand("services")) return services();
    if (bench->got_subcommand("collector")) return collector();
    if (bench->got_subcommand("soak")) return soak();
    if (bench->got_subcommand("all")) return all();
    return 2;
  };
}

}  // namespace traceproof
