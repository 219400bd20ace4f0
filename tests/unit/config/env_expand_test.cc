#include "config/env_expand.h"

#include <gtest/gtest.h>

#include <map>

namespace traceproof {
namespace {

GetEnvFn Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

std::string Expand(std::string_view text, const GetEnvFn& env) {
  std::string error;
  const auto out = ExpandEnv(text, env, error);
  return out ? *out : "ERROR: " + error;
}

TEST(ExpandEnv, SetVariablesReplaceDefaultsAndUnsetOnesTakeThem) {
  const GetEnvFn env = Env({{"HOST", "orders"}, {"EMPTY", ""}});
  EXPECT_EQ(Expand("${HOST}:8080", env), "orders:8080");
  EXPECT_EQ(Expand("${HOST:-127.0.0.1}:8080", env), "orders:8080");
  EXPECT_EQ(Expand("${PORT:-8080}", env), "8080");
  EXPECT_EQ(Expand("${EMPTY:-x}", env), "x");
  EXPECT_EQ(Expand("http://${HOST}:${PORT:-8888}/metrics", env), "http://orders:8888/metrics");
  EXPECT_EQ(Expand("$HOST and $ alone", env), "$HOST and $ alone");
  EXPECT_EQ(Expand("${X:-a:-b}", env), "a:-b");
}

TEST(ExpandEnv, MistakesSayWhatToWrite) {
  const GetEnvFn env = Env({});
  EXPECT_EQ(Expand("${MISSING}", env),
            "ERROR: ${MISSING} is not set and has no default: write ${MISSING:-VALUE}");
  EXPECT_NE(Expand("${HOST:-x", env).find("unterminated '${'"), std::string::npos);
  EXPECT_NE(Expand("${}", env).find("bad variable"), std::string::npos);
  EXPECT_NE(Expand("${1A}", env).find("bad variable"), std::string::npos);
  EXPECT_NE(Expand("${A-B}", env).find("bad variable"), std::string::npos);
}

}  // namespace
}  // namespace traceproof
