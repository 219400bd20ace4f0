#include "report/tree_text.h"

#include <fmt/format.h>

#include <algorithm>

#include "store/trace_shape.h"

namespace traceproof {

std::string FormatDuration(std::int64_t ns) {
  const double abs = static_cast<double>(ns < 0 ? -ns : ns);
  const double v = static_cast<double>(ns);
  if (abs >= 1e9) return fmt::format("{:.2f} s", v / 1e9);
  if (abs >= 1e6) return fmt::format("{:.1f} ms", v / 1e6);
  if (abs >= 1e3) return fmt::format("{:.0f} µs", v / 1e3);
  return fmt::format("{} ns", ns);
}

namespace {

struct Row {
  std::size_t span;
  int depth;
  std::string note;
};

// Rows are collected first so columns can be aligned across indentation levels.
struct Walker {
  const Trace& trace;
  const TraceShape& shape;
  std::vector<bool> visited;
  std::vector<Row> rows;

  void Walk(std::size_t i, int depth, std::string note) {
    visited[i] = true;
    rows.push_back({i, depth, std::move(note)});
    for (std::size_t child : shape.children[i]) {
      if (visited[child]) continue;  // cycles in hostile input must not recurse forever
      bool skew = std::find(shape.skewed.begin(), shape.skewed.end(), child) != shape.skewed.end();
      Walk(child, depth + 1, skew ? "clock skew: outside its parent's time range" : "");
    }
  }
};

}  // namespace

std::string TraceTreeText(const Trace& trace, const std::vector<std::size_t>* critical) {
  std::vector<bool> on_path(trace.spans.size(), false);
  if (critical)
    for (std::size_t i : *critical)
      if (i < on_path.size()) on_path[i] = true;
  TraceShape shape = AnalyzeTrace(trace);
  Walker w{trace, shape, std::vector<bool>(trace.spans.size(), false), {}};
  for (std::size_t r : shape.roots)
    w.Walk(r, 0, shape.roots.size() > 1 ? "one of several roots" : "");
  for (std::size_t o : shape.orphans) {
    if (!w.visited[o])
      w.Walk(o, 0, "orphan: parent " + trace.spans[o].parent_span_id.Hex() + " never arrived");
  }
  for (std::size_t i = 0; i < trace.spans.size(); ++i) {
    if (!w.visited[i]) w.Walk(i, 0, "unreachable: parent chain forms a cycle");
  }

  auto label = [&](const Row& row) {
    std::string_view service = trace.spans[row.span].service_name;
    return std::string(static_cast<std::size_t>(row.depth) * 2, ' ') +
           std::string(service.empty() ? "(no service.name)" : service);
  };
  std::size_t label_width = 0, name_width = 0;
  std::uint64_t start = UINT64_MAX, end = 0;
  for (const Row& row : w.rows) {
    const SpanView& s = trace.spans[row.span];
    label_width = std::max(label_width, label(row).size());
    name_width = std::max(name_width, s.name.size());
    start = std::min(start, s.start_unix_ns);
    end = std::max(end, s.end_unix_ns);
  }
  name_width = std::min<std::size_t>(name_width, 48);

  std::string out =
      fmt::format("trace {}  ({} spans, {})\n", trace.id.Hex(), trace.spans.size(),
                  FormatDuration(trace.spans.empty() ? 0 : static_cast<std::int64_t>(end - start)));
  for (const Row& row : w.rows) {
    const SpanView& s = trace.spans[row.span];
    fmt::format_to(std::back_inserter(out), "{} {:<{}}  {:<{}}  {:>9}",
                   on_path[row.span] ? '*' : ' ', label(row), label_width, std::string(s.name),
                   name_width, FormatDuration(s.DurationNs()));
    if (s.status == StatusCode::kError) {
      fmt::format_to(std::back_inserter(out), "  ERROR{}{}", s.status_message.empty() ? "" : ": ",
                     std::string(s.status_message));
    }
    if (!row.note.empty()) fmt::format_to(std::back_inserter(out), "  <- {}", row.note);
    out += '\n';
  }
  if (critical) out += "  (* on the critical path)\n";
  if (!shape.duplicates.empty()) {
    fmt::format_to(std::back_inserter(out), "  ({} spans reuse a span id already in this trace)\n",
                   shape.duplicates.size());
  }
  return out;
}

}  // namespace traceproof
