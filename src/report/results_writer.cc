#include "report/results_writer.h"

#include <fstream>

#include "report/junit.h"
#include "report/run_data_json.h"
#include "report/series_jsonl.h"
#include "truth/ground_truth.h"
#include "truth/inbound_record.h"

namespace traceproof {

namespace fs = std::filesystem;

bool WriteTextFile(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::trunc | std::ios::binary);
  f << text;
  f.flush();
  return static_cast<bool>(f);
}

bool WriteResults(const fs::path& out_dir, const Scenario& scenario, const RunOutcome& outcome,
                  const RunVerdict& verdict, const std::string& started_utc, TraceRecords which) {
  bool wrote = WriteTextFile(out_dir / "summary.json",
                             SummaryJson(scenario, outcome, verdict, started_utc).dump(2) + "\n");
  wrote &= WriteTextFile(out_dir / "junit.xml", JunitXml(scenario, outcome, verdict, started_utc));
  wrote &= WriteTextFile(out_dir / "histograms" / "corrected.hist",
                         outcome.data.load.corrected.Serialize());
  wrote &= WriteTextFile(out_dir / "histograms" / "uncorrected.hist",
                         outcome.data.load.uncorrected.Serialize());
  wrote &= WriteTextFile(out_dir / "histograms" / "corrected.hgrm",
                         outcome.data.load.corrected.ToPercentileText());
  wrote &= WriteTextFile(out_dir / "histograms" / "uncorrected.hgrm",
                         outcome.data.load.uncorrected.ToPercentileText());
  if (outcome.collector) wrote &= WriteTextFile(out_dir / "collector.log", outcome.collector->log);
  // What `traceproof check` reads besides traces.jsonl (written while the run went on).
  nlohmann::json run_data = RunDataJson(outcome.data);
  run_data["traces_recorded"] = TraceRecordsName(which);
  wrote &= WriteTextFile(out_dir / "run_data.json", run_data.dump(1) + "\n");
  wrote &= WriteTextFile(out_dir / "series.jsonl", SeriesJsonl(outcome.series));
  return wrote;
}

bool WriteGroundTruth(const fs::path& path, const RunData& data) {
  std::ofstream truth(path, std::ios::trunc);
  for (const auto& s : data.truth) truth << GroundTruthToJson(s) << '\n';
  for (const auto& r : data.inbound) truth << InboundToJson(r) << '\n';
  truth.flush();
  return static_cast<bool>(truth);
}

}  // namespace traceproof
