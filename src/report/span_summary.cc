#include "report/span_summary.h"

#include "checks/check_util.h"
#include "otlp/span_details.h"
#include "report/tree_text.h"

namespace traceproof {
namespace {

template <typename KeyValues>
std::vector<std::pair<std::string, std::string>> Rows(const KeyValues& kvs) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& kv : kvs) rows.emplace_back(kv.key(), checks::AttributeText(kv.value()));
  return rows;
}

std::string HexOf(const std::string& raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xF];
  }
  return out;
}

}  // namespace

SpanSummary SummarizeSpan(const SpanView& view) {
  SpanSummary s;
  s.error_message = std::string(view.status_message);
  const std::optional<SpanDetails> details = DecodeSpanDetails(view);
  if (!details) {
    s.decoded = false;
    return s;
  }
  s.attributes = Rows(details->span.attributes());
  s.resource = Rows(details->resource.attributes());
  bool exception_seen = false;
  for (const auto& e : details->span.events()) {
    std::string line = e.name() + " +" +
                       FormatDuration(static_cast<std::int64_t>(e.time_unix_nano()) -
                                      static_cast<std::int64_t>(view.start_unix_ns));
    std::string sep = ": ";
    for (const auto& kv : e.attributes()) {
      line += sep + kv.key() + "=" + checks::AttributeText(kv.value());
      sep = ", ";
      if (!exception_seen && e.name() == "exception" && kv.key() == "exception.message") {
        s.error_message = checks::AttributeText(kv.value());
        exception_seen = true;
      }
    }
    s.events.push_back(std::move(line));
  }
  for (const auto& l : details->span.links())
    s.links.push_back({HexOf(l.trace_id()), HexOf(l.span_id())});
  return s;
}

}  // namespace traceproof
