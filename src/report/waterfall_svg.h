// One trace drawn as a waterfall, the seed's way of reading a trace: a row per span (service
// colour, bar by start and duration, indented under its parent), the critical path marked
// (◆ and a dark outline; checks/critical_path.h), ERROR spans red with their exception.message,
// gaps (parent time no child covers; checks/span_gaps.h) hatched, orphans, extra roots,
// duplicate ids and clock-skewed spans flagged as the checks see them (store/trace_shape.h),
// span links drawn to their targets in the same trace and linked to other traces' waterfalls
// on the page. Hover shows a span's summary and attributes (SVG <title>); a click opens its
// attribute table (the page's script, report/html_page.h). Hand-made SVG: a waterfall is
// rectangles and text, and inline SVG needs no script to render, prints, and keeps the page
// free of network access. Used by report.html and compare.html. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "store/trace.h"

namespace traceproof {

struct WaterfallOptions {
  // The <figure>'s id, unique in the page (links point to "#id"); WaterfallAnchor(trace.id) by
  // default.
  std::string id;
  std::string caption;  // shown before the trace's id, e.g. "slowest trace 1 of 5"
  int width_px = 1100;
  // Traces with more spans keep the rows with findings and then the first in tree order, and
  // say how many were left out; bounds the page's size whatever a trace holds.
  std::size_t max_rows = 250;
  bool mark_critical_path = true;
  // The element id of another trace's waterfall on the same page, or "" when it is not there;
  // span links to such traces become links. Null: no trace but this one is on the page.
  std::function<std::string(std::string_view trace_id_hex)> anchor_of;
};

// "trace-<32 hex digits>": the id WaterfallSvg gives a trace's figure by default.
std::string WaterfallAnchor(const TraceId& trace_id);
std::string WaterfallAnchor(std::string_view trace_id_hex);

// The colour of a service's bars, the same in every waterfall and chart of a page (a stable
// hash of the name into a palette without the ERROR red).
std::string ServiceColour(std::string_view service);

// <figure class="waterfall" id=...> with a caption, the inline <svg> and the spans' attribute
// tables (hidden until a row is clicked). Every span-derived string is escaped.
std::string WaterfallSvg(const Trace& trace, const WaterfallOptions& options);

}  // namespace traceproof
