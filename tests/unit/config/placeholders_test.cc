// {{service.field}} placeholders: found with their parts, expanded from a lookup, and every
// malformed or unknown one is an error naming its text; ${NAME} is left alone.
#include "config/placeholders.h"

#include <gtest/gtest.h>

namespace traceproof {
namespace {

std::optional<std::string> Value(const Placeholder& p) {
  if (p.service == "payments" && p.field == "url") return "http://127.0.0.1:9001";
  if (p.service == "payments" && p.field == "port") return "9001";
  if (p.service == "self" && p.field == "port") return "8000";
  return std::nullopt;
}

TEST(Placeholders, FindsEachWithServiceAndField) {
  std::string error;
  const auto found = FindPlaceholders("--to={{ payments.url }} --port {{self.port}}", error);
  ASSERT_TRUE(found) << error;
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].service, "payments");
  EXPECT_EQ((*found)[0].field, "url");
  EXPECT_EQ((*found)[0].text, "{{ payments.url }}");
  EXPECT_EQ((*found)[1].service, "self");
}

TEST(Placeholders, ExpandsEveryOneAndLeavesEnvExpansionAlone) {
  std::string error;
  const auto out =
      ExpandPlaceholders("${HOST:-x} {{payments.url}}/charge :{{self.port}}", Value, error);
  ASSERT_TRUE(out) << error;
  EXPECT_EQ(*out, "${HOST:-x} http://127.0.0.1:9001/charge :8000");
}

TEST(Placeholders, TextWithoutPlaceholdersIsUnchanged) {
  std::string error;
  EXPECT_EQ(ExpandPlaceholders("a { b } $c", Value, error), "a { b } $c");
}

TEST(Placeholders, UnknownServiceIsAnErrorNamingTheText) {
  std::string error;
  EXPECT_FALSE(ExpandPlaceholders("{{orders.url}}", Value, error));
  EXPECT_NE(error.find("'{{orders.url}}' names 'orders'"), std::string::npos) << error;
}

TEST(Placeholders, MalformedOnesAreErrors) {
  std::string error;
  EXPECT_FALSE(FindPlaceholders("{{payments.url", error));
  EXPECT_NE(error.find("unterminated"), std::string::npos) << error;
  EXPECT_FALSE(FindPlaceholders("{{payments}}", error));
  EXPECT_NE(error.find("want {{SERVICE.url}}"), std::string::npos) << error;
  EXPECT_FALSE(FindPlaceholders("{{payments.addr}}", error));
  EXPECT_NE(error.find("unknown field 'addr'"), std::string::npos) << error;
}

}  // namespace
}  // namespace traceproof
