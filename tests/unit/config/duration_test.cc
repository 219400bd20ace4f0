#include "config/duration.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "config/yaml_reader.h"

namespace traceproof {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

nanoseconds Parse(const char* text) {
  std::string error;
  const auto d = ParseDuration(text, error);
  EXPECT_TRUE(d) << text << ": " << error;
  return d.value_or(nanoseconds(-1));
}

TEST(DurationParsing, AcceptsEveryUnitDecimalsAndPlainZero) {
  EXPECT_EQ(Parse("8ms"), milliseconds(8));
  EXPECT_EQ(Parse("1.5s"), milliseconds(1500));
  EXPECT_EQ(Parse("250us"), std::chrono::microseconds(250));
  EXPECT_EQ(Parse("250\u00b5s"), std::chrono::microseconds(250));
  EXPECT_EQ(Parse("100ns"), nanoseconds(100));
  EXPECT_EQ(Parse("2m"), seconds(120));
  EXPECT_EQ(Parse("3.9s"), milliseconds(3900));
  EXPECT_EQ(Parse("0"), nanoseconds(0));
  EXPECT_EQ(Parse("-50ms"), milliseconds(-50)) << "the sign is the caller's to reject";
}

TEST(DurationParsing, RejectsANumberWithoutAUnitAndUnknownUnitsNamingTheText) {
  for (const char* text : {"5", "12 parsecs", "ms", "1.2.3s", "5 ms", "5h", "-", ""}) {
    std::string error;
    EXPECT_FALSE(ParseDuration(text, error)) << "accepted '" << text << "'";
    EXPECT_NE(error.find("bad duration '" + std::string(text) + "'"), std::string::npos) << error;
  }
}

TEST(DurationParsing, RejectsADurationTooLongForNanoseconds) {
  std::string error;
  EXPECT_FALSE(ParseDuration("1000000000m", error));
  EXPECT_EQ(error, "duration '1000000000m' is too long");
}

TEST(DurationParsing, YamlReaderNamesThePositionOfABadDuration) {
  YamlReader reader("x.yaml");
  const YAML::Node list = YAML::Load("a: [1ms]")["a"];
  try {
    reader.Duration(list, reader.Pos(list));
    FAIL() << "no error";
  } catch (const LoadError& e) {
    EXPECT_STREQ(e.what(),
                 "x.yaml:1:4: want a duration (a number with a unit, e.g. 250ms), got a list");
  }
  const YAML::Node bad = YAML::Load("b: 5 ms")["b"];
  try {
    reader.Duration(bad, reader.Pos(bad));
    FAIL() << "no error";
  } catch (const LoadError& e) {
    EXPECT_STREQ(e.what(),
                 "x.yaml:1:4: bad duration '5 ms': want a number with a unit (ns, us, ms, s, m), "
                 "e.g. 250ms");
  }
}

}  // namespace
}  // namespace traceproof
