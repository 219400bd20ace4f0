#include "report/span_details_table.h"

#include <fmt/format.h>

#include "report/html_escape.h"
#include "report/tree_text.h"
#include "report/waterfall_svg.h"

namespace traceproof {
namespace {

void Row(std::string& out, std::string_view key, std::string_view value, const char* cls = "") {
  fmt::format_to(std::back_inserter(out), "<tr class=\"{}\"><th>{}</th><td>{}</td></tr>", cls,
                 EscapeHtml(key), EscapeHtml(value));
}

void Section(std::string& out, std::string_view title) {
  fmt::format_to(std::back_inserter(out), "<tr class=\"section\"><th colspan=\"2\">{}</th></tr>",
                 EscapeHtml(title));
}

void LinkRows(std::string& out, const Trace& trace, const SpanSummary& sum,
              const std::function<std::string(std::string_view)>& anchor_of) {
  if (sum.links.empty()) return;
  Section(out, "links");
  const std::string self = trace.id.Hex();
  for (const SpanLinkTarget& l : sum.links) {
    std::string where = "not in this report";
    if (l.trace_id_hex == self) {
      where = "this trace";
    } else if (anchor_of) {
      const std::string anchor = anchor_of(l.trace_id_hex);
      if (!anchor.empty()) {
        fmt::format_to(std::back_inserter(out),
                       "<tr><th>span {}</th><td><a href=\"#{}\">trace {}</a></td></tr>",
                       EscapeHtml(l.span_id_hex), EscapeHtml(anchor), EscapeHtml(l.trace_id_hex));
        continue;
      }
    }
    Row(out, "span " + l.span_id_hex, "trace " + l.trace_id_hex + " (" + where + ")");
  }
}

}  // namespace

std::string SpanDetailsTable(const Trace& trace, std::size_t span, std::size_t row,
                             const SpanSummary& sum, std::int64_t trace_start_ns,
                             const std::function<std::string(std::string_view)>& anchor_of) {
  const SpanView& s = trace.spans[span];
  std::string out =
      fmt::format("<table class=\"attrs\" data-row=\"{}\" hidden><caption>{} {}</caption>", row,
                  EscapeHtml(s.service_name), EscapeHtml(s.name));
  Row(out, "span_id", s.span_id.Hex());
  Row(out, "parent_span_id", s.IsRoot() ? "(root)" : s.parent_span_id.Hex());
  Row(out, "kind", SpanKindName(s.kind));
  Row(out, "status", StatusCodeName(s.status), s.status == StatusCode::kError ? "error" : "");
  if (!sum.error_message.empty()) Row(out, "error", sum.error_message, "error");
  Row(out, "start",
      "+" + FormatDuration(static_cast<std::int64_t>(s.start_unix_ns) - trace_start_ns));
  Row(out, "duration", FormatDuration(s.DurationNs()));
  if (!s.scope_name.empty()) Row(out, "scope", s.scope_name);
  if (!sum.decoded)
    Row(out, "decode error", "attributes, events or links are not valid protobuf", "error");
  if (!sum.attributes.empty()) Section(out, "attributes");
  for (const auto& [k, v] : sum.attributes) Row(out, k, v);
  if (!sum.events.empty()) Section(out, "events");
  for (const std::string& e : sum.events) Row(out, "event", e);
  LinkRows(out, trace, sum, anchor_of);
  if (!sum.resource.empty()) Section(out, "resource");
  for (const auto& [k, v] : sum.resource) Row(out, k, v);
  out += "</table>";
  return out;
}

}  // namespace traceproof
