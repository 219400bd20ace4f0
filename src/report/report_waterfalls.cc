// report.html's traces (report/report_sections.h): a waterfall for every evidence trace of a
// failing check, in check order, then for the slowest traces not drawn yet; each trace once.
#include <fmt/format.h>

#include <map>

#include "report/html_escape.h"
#include "report/report_sections.h"
#include "report/waterfall_svg.h"

namespace traceproof {
namespace {

using nlohmann::json;

struct Planned {
  std::string id;
  std::string caption;
};

// Every trace to draw with a caption naming why it is there (all its roles).
std::vector<Planned> Plan(const ReportInput& in) {
  std::vector<Planned> plan;
  std::map<std::string, std::size_t> index;
  auto add = [&](const std::string& id, const std::string& role) {
    const auto [it, fresh] = index.emplace(id, plan.size());
    if (fresh)
      plan.push_back({id, role});
    else
      plan[it->second].caption += "; " + role;
  };
  std::size_t n = 0;
  for (const json& c : in.summary.value("checks", json::array())) {
    ++n;
    if (c.value("status", "") != "fail") continue;
    for (const json& id : c.value("evidence", json::array()))
      if (id.is_string()) add(id, fmt::format("evidence of check {} ({})", n, c.value("kind", "")));
  }
  const std::size_t slowest = in.traces ? in.traces->slowest.size() : 0;
  for (std::size_t i = 0; i < slowest; ++i)
    add(in.traces->slowest[i], fmt::format("slowest trace {} of {}", i + 1, slowest));
  return plan;
}

std::string Legend() {
  return "<p class=\"legend\">Bars by start and duration, coloured by service; "
         "<b>\u25c6</b> and a dark outline: on the critical path; "
         "<span class=\"sw\" style=\"background:#d62728\"></span>ERROR; "
         "<span class=\"sw gap\"></span>gap (parent time no child covers); "
         "yellow rows: orphan, extra root, duplicate id or clock skew; dashed arrows: span links. "
         "Hover a row for its attributes, click it for the full table.</p>";
}

// The figures that fit the page's bounds, rendered with links to the traces on the page.
std::vector<std::string> Render(const std::vector<std::pair<const Planned*, const Trace*>>& todo,
                                const ReportOptions& options, std::set<std::string>& on_page,
                                std::vector<std::string>& over_budget) {
  WaterfallOptions wo;
  wo.anchor_of = [&on_page](std::string_view hex) {
    const std::string a = WaterfallAnchor(hex);
    return on_page.count(a) ? a : std::string();
  };
  std::vector<std::string> figures;
  std::size_t bytes = 0;
  for (const auto& [p, trace] : todo) {
    if (figures.size() >= options.max_waterfalls || bytes >= options.max_waterfall_bytes) {
      over_budget.push_back(p->id);
      continue;
    }
    wo.caption = p->caption;
    figures.push_back(WaterfallSvg(*trace, wo));
    bytes += figures.back().size();
  }
  return figures;
}

}  // namespace

DrawnTraces TracesSection(const ReportInput& in, const ReportOptions& options) {
  DrawnTraces drawn;
  const std::vector<Planned> plan = Plan(in);
  std::vector<std::string> missing, over_budget;
  std::vector<std::pair<const Planned*, const Trace*>> todo;
  for (const Planned& p : plan) {
    const Trace* trace = nullptr;
    if (in.traces)
      if (auto f = in.traces->by_id.find(p.id); f != in.traces->by_id.end())
        trace = f->second.get();
    if (trace)
      todo.emplace_back(&p, trace);
    else
      missing.push_back(p.id);
  }
  // Twice when the bounds leave traces out, so no span link points at a figure not drawn.
  std::set<std::string> on_page;
  for (const auto& [p, trace] : todo) on_page.insert(WaterfallAnchor(p->id));
  std::vector<std::string> figures = Render(todo, options, on_page, over_budget);
  if (!over_budget.empty()) {
    for (const std::string& id : over_budget) on_page.erase(WaterfallAnchor(id));
    std::erase_if(todo,
                  [&](const auto& t) { return !on_page.count(WaterfallAnchor(t.first->id)); });
    ReportOptions unbounded = options;
    unbounded.max_waterfalls = SIZE_MAX;
    unbounded.max_waterfall_bytes = SIZE_MAX;
    std::vector<std::string> none;
    figures = Render(todo, unbounded, on_page, none);
  }
  std::string body;
  for (const std::string& f : figures) body += f;
  drawn.anchors = on_page;
  drawn.count = figures.size();
  const std::size_t bytes = body.size();
  drawn.html = "<section id=\"traces\"><h2>Traces</h2>";
  if (!in.traces)
    drawn.html +=
        "<p class=\"muted\">The run recorded no traces file (--traces none or "
        "--no-traces): no waterfall to draw.</p>";
  else
    drawn.html += fmt::format(
                      "<p class=\"muted\">{} traces in the traces file; drawn: the evidence "
                      "of every failing check, then the slowest.</p>",
                      Count(in.traces->traces_in_file)) +
                  Legend();
  drawn.html += body;
  if (!missing.empty())
    drawn.html += fmt::format(
        "<p class=\"warn\">Not in the traces file (the run kept only some "
        "traces): {}</p>",
        EscapeHtml(fmt::format("{}", fmt::join(missing, ", "))));
  if (!over_budget.empty())
    drawn.html += fmt::format(
        "<p class=\"warn\">Not drawn, to keep the page small ({} waterfalls, "
        "{} KB drawn): {}</p>",
        drawn.count, bytes / 1024, EscapeHtml(fmt::format("{}", fmt::join(over_budget, ", "))));
  drawn.html += "</section>";
  return drawn;
}

}  // namespace traceproof
