// report.html's accounting (report/report_sections.h): the spans ledger per hop (services →
// [collector] → sink) with drops by reason, as the throughput check reconciled it (its details'
// "hops") or as summary.json counted it; sampling, expected against observed with its
// interval (the sampling check's details); queues, published / processed / lost / redelivered
// (the propagation check's details).
#include <fmt/format.h>

#include "report/html_escape.h"
#include "report/report_sections.h"

namespace traceproof {
namespace {

using nlohmann::json;

std::string Cell(const json& v) {
  if (v.is_number_unsigned()) return Count(v.get<std::uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  if (v.is_number_float()) return fmt::format("{:.4g}", v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  return v.dump();
}

// An array of flat objects as a table, its columns the first object's keys.
std::string Table(const json& rows) {
  if (!rows.is_array() || rows.empty() || !rows[0].is_object()) return "";
  std::string out = "<table class=\"grid\"><tr>";
  for (const auto& [key, v] : rows[0].items()) out += "<th>" + EscapeHtml(key) + "</th>";
  out += "</tr>";
  for (const json& r : rows) {
    out += "<tr>";
    for (const auto& [key, v] : rows[0].items()) {
      const auto it = r.find(key);
      out += std::string("<td") + (it != r.end() && it->is_number() ? " class=\"num\"" : "") + ">" +
             EscapeHtml(it == r.end() ? "" : Cell(*it)) + "</td>";
    }
    out += "</tr>";
  }
  return out + "</table>";
}

// Points into `summary` (never into a copy: the caller keeps the pointer).
const json* CheckDetails(const json& summary, const char* kind, const char* key) {
  const auto checks = summary.find("checks");
  if (checks == summary.end() || !checks->is_array()) return nullptr;
  for (const json& c : *checks) {
    if (c.value("kind", "") != kind) continue;
    const auto d = c.find("details");
    if (d != c.end() && d->contains(key)) return &(*d)[key];
  }
  return nullptr;
}

std::string Hops(const ReportInput& in) {
  const json* reconciled = CheckDetails(in.summary, "throughput", "hops");
  const json hops = reconciled
                        ? *reconciled
                        : in.summary.value("spans", json::object()).value("hops", json::array());
  if (hops.empty()) return "<p class=\"muted\">No hop counters in this run.</p>";
  std::string out =
      "<table class=\"grid\"><tr><th>hop</th><th class=\"num\">received</th>"
      "<th class=\"num\">passed on</th><th>dropped, by reason</th>"
      "<th class=\"num\">unaccounted</th></tr>";
  for (const json& h : hops) {
    std::string dropped;
    const json by_reason = h.value("dropped", json::object());
    for (const auto& [why, n] : by_reason.items())
      if (n.is_number() && n.get<double>() > 0) dropped += EscapeHtml(why) + " " + Cell(n) + "<br>";
    const json unaccounted = h.value("unaccounted", json());
    fmt::format_to(std::back_inserter(out),
                   "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td>"
                   "<td class=\"num\">{}</td></tr>",
                   EscapeHtml(h.value("name", "")), Cell(h.value("received", json(0))),
                   Cell(h.value("passed_on", json(0))), dropped.empty() ? "none" : dropped,
                   unaccounted.is_null() ? "" : EscapeHtml(Cell(unaccounted)));
  }
  out += "</table>";
  const json spans = in.summary.value("spans", json::object());
  out += fmt::format(
      "<p class=\"muted\">{} spans started by the services (ground truth); the sink "
      "received {}, accepted {}, refused {}; {} late spans in {} update records.</p>",
      Cell(spans.value("ground_truth", json(0))), Cell(spans.value("sink_received", json(0))),
      Cell(spans.value("sink_accepted", json(0))), Cell(spans.value("sink_refused", json(0))),
      Cell(spans.value("sink_late_spans", json(0))),
      Cell(spans.value("sink_update_records", json(0))));
  return out;
}

std::string Sampling(const ReportInput& in) {
  std::string out;
  if (const json* head = CheckDetails(in.summary, "sampling", "head")) {
    out += fmt::format(
        "<p>Head sampling: expected ratio <b>{:.4g}</b>, observed <b>{:.4g}</b> ({} of {} requests "
        "sampled), interval {:.4g} \u2013 {:.4g}.</p>",
        head->value("want", 0.0), head->value("share", 0.0), Cell(head->value("sampled", json(0))),
        Cell(head->value("requests", json(0))), head->value("interval_low", 0.0),
        head->value("interval_high", 0.0));
  }
  if (const json* tail = CheckDetails(in.summary, "sampling", "tail"))
    out += "<p>Tail sampling, kept by policy:</p>" + Table(json::array({*tail}));
  if (const json* partly = CheckDetails(in.summary, "sampling", "partly_sampled_requests"))
    out +=
        "<p>Requests partly sampled (a service ignored its parent's decision): " + Cell(*partly) +
        "</p>";
  return out.empty() ? "<p class=\"muted\">No sampling check in this scenario.</p>" : out;
}

std::string Queues(const ReportInput& in) {
  std::string out;
  if (const json* m = CheckDetails(in.summary, "propagation", "queue_messages")) out += Table(*m);
  if (const json* e = CheckDetails(in.summary, "propagation", "queue_edges")) {
    json flat = json::array();
    for (json row : *e) {
      row.erase("publish_to_process");
      flat.push_back(row);
    }
    out += "<p>Context across each queue edge:</p>" + Table(flat);
  }
  return out.empty() ? "<p class=\"muted\">No queues in this scenario.</p>" : out;
}

}  // namespace

std::string LedgerSection(const ReportInput& in) {
  return "<section id=\"ledger\"><h2>Spans ledger per hop</h2>" + Hops(in) +
         "<h3 id=\"sampling\">Sampling</h3>" + Sampling(in) + "<h3 id=\"queues\">Queues</h3>" +
         Queues(in) + "</section>";
}

}  // namespace traceproof
