// traces.jsonl (or traces.jsonl.gz), written while the run goes on: each trace record the sink
// completes becomes one line (report/trace_json.h, update records included), so a long run's
// evidence is on disk and not in memory. Which records are kept is the user's choice: all of
// them (what `traceproof check` needs to judge the run again exactly), the failing ones (a span
// with status ERROR, an orphan, no root or several roots), a sample (one trace in 100 by id,
// plus the failing ones), or none. Write() from one thread at a time (the run's sweeper);
// counters after Close().
#pragma once

#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include "store/trace.h"

namespace traceproof {

enum class TraceRecords { kAll, kFailing, kSample, kNone };

// "all", "failing", "sample", "none"; nullopt for anything else.
std::optional<TraceRecords> ParseTraceRecords(std::string_view text);
std::string_view TraceRecordsName(TraceRecords which);

// Whether a trace is kept under kFailing: an ERROR span or a shape problem.
bool TraceLooksFailing(const Trace& trace);

class TraceRecordWriter {
 public:
  // Opens `path` (gzip-compressed when `gzip`); ok() says whether that worked.
  TraceRecordWriter(const std::string& path, TraceRecords which, bool gzip);
  ~TraceRecordWriter();
  TraceRecordWriter(const TraceRecordWriter&) = delete;
  TraceRecordWriter& operator=(const TraceRecordWriter&) = delete;

  bool ok() const { return ok_; }
  void Write(const Trace& trace);
  // Flushes and closes; false when any write failed. Idempotent.
  bool Close();

  std::uint64_t written() const { return written_; }
  std::uint64_t skipped() const { return skipped_; }

 private:
  void WriteLine(const std::string& line);

  TraceRecords which_;
  bool ok_ = false;
  std::ofstream plain_;
  gzFile gz_ = nullptr;
  std::uint64_t written_ = 0, skipped_ = 0;
  std::string line_;  // kept between records: its capacity is reused
};

}  // namespace traceproof
