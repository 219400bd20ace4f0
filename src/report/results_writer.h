// The files of a results folder that come from a finished run's outcome: summary.json,
// junit.xml, histograms/, run_data.json, series.jsonl (and collector.log).
// `traceproof run` writes them after its run and `traceproof merge` after joining shards, so a
// merged folder reads like a run's (check, report and compare take either). traces.jsonl,
// ground_truth.jsonl (a run writes both as it goes) and report.txt are the callers'. Plain
// functions; one writer per folder.
#pragma once

#include <filesystem>
#include <string>

#include "report/summary_json.h"
#include "report/trace_record_writer.h"
#include "run/run_outcome.h"
#include "scenario/scenario.h"

namespace traceproof {

// The whole file, truncated first; false when it could not be written.
bool WriteTextFile(const std::filesystem::path& path, const std::string& text);

// False when a file could not be written. `which` is what traces.jsonl keeps, for
// run_data.json.
bool WriteResults(const std::filesystem::path& out_dir, const Scenario& scenario,
                  const RunOutcome& outcome, const RunVerdict& verdict,
                  const std::string& started_utc, TraceRecords which);

// ground_truth.jsonl from records held in memory (`traceproof merge`); false when not written.
bool WriteGroundTruth(const std::filesystem::path& path, const RunData& data);

}  // namespace traceproof
