// Escaping for the HTML report (report.html, compare.html): text and attribute values from
// spans (names, attributes, exception messages) are untrusted, so everything a run recorded
// goes through here before it reaches the page, and data embedded for the page's script cannot
// close its <script> element. Pure functions, thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace traceproof {

// Text for element content and quoted attribute values (& < > " ' escaped). Control characters
// other than tab, newline and carriage return become U+FFFD (they are parse errors in HTML),
// and so do bytes that are not UTF-8 (attributes are bytes on the wire).
std::string EscapeHtml(std::string_view text);

// JSON for inside <script type="application/json">: "</" and "<!--" cannot end or confuse the
// element, and invalid UTF-8 becomes U+FFFD instead of an exception.
std::string JsonForScript(const nlohmann::json& value);

// An id usable in id="" and href="#": letters, digits, '-' and '_' kept, anything else '_'.
std::string HtmlId(std::string_view text);

}  // namespace traceproof
