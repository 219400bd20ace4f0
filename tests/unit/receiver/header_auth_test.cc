#include "receiver/header_auth.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace traceproof {
namespace {

// A request's headers as a receiver sees them: names in lower case, several values per name.
HeaderValues Headers(std::multimap<std::string, std::string> headers) {
  return [headers = std::move(headers)](std::string_view name, const auto& visit) {
    const auto [begin, end] = headers.equal_range(std::string(name));
    for (auto it = begin; it != end; ++it)
      if (visit(it->second)) return;
  };
}

TEST(ConstantTimeEquals, EqualOnlyForTheSameBytesAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("Bearer abc", "Bearer abc"));
  EXPECT_FALSE(ConstantTimeEquals("Bearer abd", "Bearer abc"));
  EXPECT_FALSE(ConstantTimeEquals("Bearer ab", "Bearer abc"));    // short: a prefix is not enough
  EXPECT_FALSE(ConstantTimeEquals("Bearer abcd", "Bearer abc"));  // long
  EXPECT_FALSE(ConstantTimeEquals("", "Bearer abc"));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("Bearer a\0c", 10), "Bearer abc"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(HasRequiredHeaders, NoRequirementAdmitsEveryRequest) {
  EXPECT_TRUE(HasRequiredHeaders({}, Headers({})));
}

TEST(HasRequiredHeaders, MissingShortLongOrWrongValuesAreRefused) {
  const RequiredHeaders required = {{"authorization", "Bearer s3cret"}};
  EXPECT_TRUE(HasRequiredHeaders(required, Headers({{"authorization", "Bearer s3cret"}})));
  EXPECT_FALSE(HasRequiredHeaders(required, Headers({})));
  EXPECT_FALSE(HasRequiredHeaders(required, Headers({{"authorization", "Bearer s3cre"}})));
  EXPECT_FALSE(HasRequiredHeaders(required, Headers({{"authorization", "Bearer s3crett"}})));
  EXPECT_FALSE(HasRequiredHeaders(required, Headers({{"authorization", "bearer s3cret"}})));
  EXPECT_FALSE(HasRequiredHeaders(required, Headers({{"x-authorization", "Bearer s3cret"}})));
}

TEST(HasRequiredHeaders, AnyOneOfSeveralValuesMayMatchButEveryHeaderIsNeeded) {
  const RequiredHeaders required = {{"authorization", "Bearer s3cret"}, {"x-tenant", "shop"}};
  EXPECT_TRUE(HasRequiredHeaders(required, Headers({{"authorization", "Bearer nope"},
                                                    {"authorization", "Bearer s3cret"},
                                                    {"x-tenant", "shop"}})));
  EXPECT_FALSE(HasRequiredHeaders(required, Headers({{"authorization", "Bearer s3cret"}})));
}

}  // namespace
}  // namespace traceproof
