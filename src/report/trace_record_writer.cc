#include "report/trace_record_writer.h"

#include "otlp/ids.h"
#include "report/trace_json.h"
#include "store/trace_shape.h"

namespace traceproof {

std::optional<TraceRecords> ParseTraceRecords(std::string_view text) {
  if (text == "all") return TraceRecords::kAll;
  if (text == "failing") return TraceRecords::kFailing;
  if (text == "sample") return TraceRecords::kSample;
  if (text == "none") return TraceRecords::kNone;
  return std::nullopt;
}

std::string_view TraceRecordsName(TraceRecords which) {
  switch (which) {
    case TraceRecords::kAll:
      return "all";
    case TraceRecords::kFailing:
      return "failing";
    case TraceRecords::kSample:
      return "sample";
    case TraceRecords::kNone:
      break;
  }
  return "none";
}

bool TraceLooksFailing(const Trace& trace) {
  for (std::size_t i = trace.IsUpdate() ? trace.new_from : 0; i < trace.spans.size(); ++i)
    if (trace.spans[i].status == StatusCode::kError) return true;
  if (trace.IsUpdate()) return false;
  const TraceShape shape = AnalyzeTrace(trace);
  return !shape.orphans.empty() || shape.roots.size() != 1;
}

TraceRecordWriter::TraceRecordWriter(const std::string& path, TraceRecords which, bool gzip)
    : which_(which) {
  if (which_ == TraceRecords::kNone) {
    ok_ = true;
    return;
  }
  if (gzip) {
    gz_ = gzopen(path.c_str(), "wb6");
    ok_ = gz_ != nullptr;
  } else {
    plain_.open(path, std::ios::trunc | std::ios::binary);
    ok_ = static_cast<bool>(plain_);
  }
}

TraceRecordWriter::~TraceRecordWriter() { Close(); }

void TraceRecordWriter::Write(const Trace& trace) {
  bool keep = false;
  switch (which_) {
    case TraceRecords::kAll:
      keep = true;
      break;
    case TraceRecords::kFailing:
      keep = TraceLooksFailing(trace);
      break;
    case TraceRecords::kSample:
      keep = IdHash{}(trace.id) % 100 == 0 || TraceLooksFailing(trace);
      break;
    case TraceRecords::kNone:
      break;
  }
  if (!keep || !ok_) {
    ++skipped_;
    return;
  }
  line_.clear();
  AppendTraceJson(trace, line_);
  line_ += '\n';
  WriteLine(line_);
  ++written_;
}

void TraceRecordWriter::WriteLine(const std::string& line) {
  if (gz_) {
    ok_ = gzwrite(gz_, line.data(), static_cast<unsigned>(line.size())) ==
              static_cast<int>(line.size()) &&
          ok_;
  } else if (plain_.is_open()) {
    plain_ << line;
    ok_ = static_cast<bool>(plain_) && ok_;
  }
}

bool TraceRecordWriter::Close() {
  if (gz_) {
    ok_ = gzclose(gz_) == Z_OK && ok_;
    gz_ = nullptr;
  }
  if (plain_.is_open()) {
    plain_.flush();
    ok_ = static_cast<bool>(plain_) && ok_;
    plain_.close();
  }
  return ok_;
}

}  // namespace traceproof
