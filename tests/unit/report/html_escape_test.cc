#include "report/html_escape.h"

#include <gtest/gtest.h>

namespace traceproof {
namespace {

TEST(EscapeHtml, EscapesMarkupAndQuotes) {
  EXPECT_EQ(EscapeHtml("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(EscapeHtml("plain text"), "plain text");
}

TEST(EscapeHtml, KeepsUtf8AndReplacesWhatIsNot) {
  EXPECT_EQ(EscapeHtml("µs \u25c6 caf\u00e9"), "µs \u25c6 caf\u00e9");
  EXPECT_EQ(EscapeHtml(std::string("a\xff"
                                   "b")),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(EscapeHtml(std::string("\xc3")), "\xEF\xBF\xBD");                  // truncated sequence
  EXPECT_EQ(EscapeHtml(std::string("\xc0\xaf")), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
}

TEST(EscapeHtml, ControlCharactersBecomeReplacementButWhitespaceStays) {
  EXPECT_EQ(EscapeHtml(std::string("a\x01\x7f"
                                   "b\t\n")),
            "a\xEF\xBF\xBD\xEF\xBF\xBD"
            "b\t\n");
  EXPECT_EQ(EscapeHtml(std::string("a\0b", 3)),
            "a\xEF\xBF\xBD"
            "b");
}

TEST(JsonForScript, CannotCloseTheScriptElement) {
  const nlohmann::json j = {{"name", "</script><script>alert(1)</script>"}, {"c", "<!--"}};
  const std::string out = JsonForScript(j);
  EXPECT_EQ(out.find('<'), std::string::npos) << out;
  EXPECT_EQ(nlohmann::json::parse(out), j);
}

TEST(JsonForScript, InvalidUtf8DoesNotThrow) {
  const nlohmann::json j = std::string("a\xff");
  EXPECT_NO_THROW(JsonForScript(j));
}

TEST(HtmlId, KeepsSafeCharactersOnly) {
  EXPECT_EQ(HtmlId("trace-0af7_Z"), "trace-0af7_Z");
  EXPECT_EQ(HtmlId("a b\"<c>"), "a_b__c_");
}

}  // namespace
}  // namespace traceproof
