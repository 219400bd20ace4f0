// The shell every traceproof HTML page shares (report.html, compare.html): one self-contained
// document with its style and script inline and a Content-Security-Policy that forbids every
// fetch (default-src 'none'), so a page opened from file:// makes no network request even if
// some recorded string slipped through as markup. The style covers the waterfall
// (report/waterfall_svg.h), the hand-made charts, tables and print. The script only toggles a
// clicked span's attribute table; everything else renders without it. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace traceproof {

// The page's CSS (also for pages that assemble their own <head>).
std::string_view ReportCss();
// The page's script: click on a waterfall row shows its attribute table.
std::string_view ReportScript();

// <!DOCTYPE html> ... </html> around `body_html` (already escaped markup); `title` is text.
// `generator_comment` goes into an HTML comment at the top (say what made the page and how).
std::string HtmlDocument(std::string_view title, std::string_view body_html,
                         std::string_view generator_comment = "");

}  // namespace traceproof
