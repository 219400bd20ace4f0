#include "config/required_header.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

namespace traceproof {
namespace {

GetEnvFn Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(RequiredHeader, ValueIsExpandedFromTheEnvironmentAndTheNameLowerCased) {
  std::string error;
  const auto h =
      ParseRequiredHeader("Authorization=Bearer ${TOKEN}", Env({{"TOKEN", "s3cr=t"}}), error);
  ASSERT_TRUE(h) << error;
  EXPECT_EQ(h->name, "authorization");
  EXPECT_EQ(h->value, "Bearer s3cr=t");  // split at the first '=' only
}

TEST(RequiredHeader, UnsetVariableIsAnErrorNamingItAndSuggestingNoDefault) {
  std::string error;
  EXPECT_FALSE(ParseRequiredHeader("authorization=Bearer ${TOKEN}", Env({}), error));
  EXPECT_EQ(error, "authorization: ${TOKEN} is not set: export it before starting traceproof");
}

TEST(RequiredHeader, EmptyValuesAreRefusedBecauseTheyWouldAdmitAnyone) {
  std::string error;
  EXPECT_FALSE(ParseRequiredHeader("x-api-key=", Env({}), error));
  EXPECT_NE(error.find("x-api-key: the required value is empty"), std::string::npos) << error;
  error.clear();
  EXPECT_FALSE(ParseRequiredHeader("x-api-key=${KEY}", Env({{"KEY", ""}}), error));
  EXPECT_NE(error.find("${KEY} is not set"), std::string::npos) << error;
}

TEST(RequiredHeader, MistakesNeverEchoTheValue) {
  std::string error;
  EXPECT_FALSE(ParseRequiredHeader("Bearer-hunter2", Env({}), error));
  EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
  EXPECT_NE(error.find("want NAME=VALUE"), std::string::npos) << error;
  error.clear();
  EXPECT_FALSE(ParseRequiredHeader("x=line\r\nbreak-hunter2", Env({}), error));
  EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
  EXPECT_NE(error.find("line break"), std::string::npos) << error;
}

TEST(RequiredHeader, NamesMustBeHttpTokensAndNotReservedByGrpc) {
  std::string error;
  EXPECT_FALSE(ParseRequiredHeader("bad name=x", Env({}), error));
  EXPECT_NE(error.find("not a valid HTTP field name"), std::string::npos) << error;
  EXPECT_FALSE(ParseRequiredHeader("=x", Env({}), error));
  EXPECT_NE(error.find("needs a name"), std::string::npos) << error;
  EXPECT_FALSE(ParseRequiredHeader("grpc-timeout=1", Env({}), error));
  EXPECT_NE(error.find("reserved by gRPC"), std::string::npos) << error;
}

TEST(RequiredHeader, ARepeatedFlagReadsTheProcessEnvironmentAndStopsAtTheFirstMistake) {
  ::setenv("REQUIRED_HEADER_TEST_TOKEN", "t0k", 1);
  ::unsetenv("REQUIRED_HEADER_TEST_UNSET");
  std::string error;
  const auto headers = ParseRequiredHeaders(
      {"authorization=Bearer ${REQUIRED_HEADER_TEST_TOKEN}", "x-tenant=shop"}, error);
  ASSERT_TRUE(headers) << error;
  ASSERT_EQ(headers->size(), 2u);
  EXPECT_EQ((*headers)[0].value, "Bearer t0k");
  EXPECT_FALSE(ParseRequiredHeaders({"x-tenant=shop", "a=${REQUIRED_HEADER_TEST_UNSET}"}, error));
  EXPECT_EQ(error,
            "a: ${REQUIRED_HEADER_TEST_UNSET} is not set: export it before starting traceproof");
}

TEST(RequiredHeader, NamesListedWithoutValues) {
  const RequiredHeaders headers = {{"authorization", "Bearer a"}, {"x-tenant", "b"}};
  EXPECT_EQ(RequiredHeaderNames(headers), "authorization, x-tenant");
}

}  // namespace
}  // namespace traceproof
