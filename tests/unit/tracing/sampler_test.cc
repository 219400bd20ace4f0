#include "tracing/sampler.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <stdexcept>
#include <string>

namespace traceproof {
namespace {

// A trace id whose bytes [0..8) are `high` and [8..16) are `low`, both big-endian.
TraceId MakeTraceId(std::uint64_t high, std::uint64_t low) {
  TraceId id;
  for (int i = 0; i < 8; ++i) {
    id.bytes[7 - i] = static_cast<std::uint8_t>(high >> (8 * i));
    id.bytes[15 - i] = static_cast<std::uint8_t>(low >> (8 * i));
  }
  return id;
}

SpanContext Parent(bool remote, bool sampled) {
  SpanContext parent;
  parent.trace_id = MakeTraceId(1, 2);
  parent.span_id.bytes[7] = 3;
  parent.trace_flags = sampled ? 0x01 : 0x00;
  parent.is_remote = remote;
  return parent;
}

std::unique_ptr<Sampler> Make(const std::string& name,
                              std::optional<std::string> arg = std::nullopt) {
  return MakeSampler(SamplerConfig{name, std::move(arg)});
}

bool Sampled(const Sampler& sampler, const TraceId& trace_id,
             const std::optional<SpanContext>& parent = std::nullopt) {
  return sampler.ShouldSample(parent, trace_id, "span", SpanKind::kServer).sampled;
}

// Returns the message of the std::invalid_argument `fn` throws, or "" when it throws none.
template <typename Fn>
std::string InvalidArgumentMessage(Fn&& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

std::function<const char*(const char*)> FakeEnv(std::map<std::string, std::string> env) {
  return [env = std::move(env)](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
}

// ---- always_on / always_off ----

TEST(SamplerAlwaysOn, SamplesEverythingWhateverTheParent) {
  auto sampler = Make("always_on");
  EXPECT_EQ(sampler->Description(), "AlwaysOnSampler");
  EXPECT_TRUE(Sampled(*sampler, MakeTraceId(0, 0)));
  EXPECT_TRUE(Sampled(*sampler, MakeTraceId(1, ~0ull)));
  EXPECT_TRUE(Sampled(*sampler, MakeTraceId(1, 1), Parent(/*remote=*/true, /*sampled=*/false)));
}

TEST(SamplerAlwaysOff, DropsEverythingWhateverTheParent) {
  auto sampler = Make("always_off");
  EXPECT_EQ(sampler->Description(), "AlwaysOffSampler");
  EXPECT_FALSE(Sampled(*sampler, MakeTraceId(1, 0)));
  EXPECT_FALSE(Sampled(*sampler, MakeTraceId(1, ~0ull)));
  EXPECT_FALSE(Sampled(*sampler, MakeTraceId(1, 1), Parent(/*remote=*/true, /*sampled=*/true)));
}

TEST(SamplerAlwaysOn, ArgumentIsIgnored) {
  EXPECT_EQ(Make("always_on", "not a number")->Description(), "AlwaysOnSampler");
  EXPECT_EQ(Make("always_off", "2")->Description(), "AlwaysOffSampler");
  EXPECT_EQ(Make("parentbased_always_on", "x")->Description(), "ParentBased{root:AlwaysOnSampler}");
  EXPECT_EQ(Make("parentbased_always_off", "x")->Description(),
            "ParentBased{root:AlwaysOffSampler}");
}

// ---- traceidratio ----

TEST(SamplerTraceIdRatio, RatioZeroNeverSamples) {
  auto sampler = Make("traceidratio", "0");
  EXPECT_FALSE(Sampled(*sampler, MakeTraceId(1, 0)));
  EXPECT_FALSE(Sampled(*sampler, MakeTraceId(1, 1)));
  std::mt19937_64 rng(7);
  for (int i = 0; i < 10000; ++i) ASSERT_FALSE(Sampled(*sampler, MakeTraceId(rng(), rng())));
}

TEST(SamplerTraceIdRatio, RatioOneAlwaysSamples) {
  auto sampler = Make("traceidratio", "1");
  EXPECT_TRUE(Sampled(*sampler, MakeTraceId(1, ~0ull)));
  EXPECT_TRUE(Sampled(*sampler, MakeTraceId(1, 0)));
  std::mt19937_64 rng(7);
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(Sampled(*sampler, MakeTraceId(rng(), rng())));
}

TEST(SamplerTraceIdRatio, MissingArgumentMeansRatioOne) {
  auto sampler = Make("traceidratio");
  EXPECT_EQ(sampler->Description(), "TraceIdRatioBased{1.000000}");
  EXPECT_TRUE(Sampled(*sampler, MakeTraceId(1, ~0ull)));
}

TEST(SamplerTraceIdRatio, QuarterSamplesAQuarterOfRandomTraceIdsWithinOnePercent) {
  auto sampler = Make("traceidratio", "0.25");
  EXPECT_EQ(sampler->Description(), "TraceIdRatioBased{0.250000}");
  std::mt19937_64 rng(20240601);  // fixed seed: the test is deterministic
  constexpr int kTraces = 100000;
  int sampled = 0;
  for (int i = 0; i < kTraces; ++i) sampled += Sampled(*sampler, MakeTraceId(rng(), rng()));
  EXPECT_GE(sampled, 24000);
  EXPECT_LE(sampled, 26000);
}

TEST(SamplerTraceIdRatio, DecisionDependsOnlyOnTheLowEightBytes) {
  auto sampler = Make("traceidratio", "0.5");
  std::mt19937_64 rng(99);
  int sampled = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t low = rng();
    const bool first = Sampled(*sampler, MakeTraceId(rng(), low));
    ASSERT_EQ(Sampled(*sampler, MakeTraceId(rng(), low)), first) << "low=" << low;
    sampled += first;
  }
  // Both decisions occurred, so the equality above was not trivially true.
  EXPECT_GT(sampled, 0);
  EXPECT_LT(sampled, 1000);
  // The high bytes alone never change the decision, even at their extremes.
  EXPECT_TRUE(Sampled(*sampler, MakeTraceId(~0ull, 0)));
  EXPECT_FALSE(Sampled(*sampler, MakeTraceId(1, ~0ull)));
}

TEST(SamplerTraceIdRatio, BoundIsRoundedRatioTimesTwoToThe64AndExclusive) {
  // 0.5 * 2^64 = 2^63.
  auto half = Make("traceidratio", "0.5");
  EXPECT_TRUE(Sampled(*half, MakeTraceId(1, (1ull << 63) - 1)));
  EXPECT_FALSE(Sampled(*half, MakeTraceId(1, 1ull << 63)));
  EXPECT_TRUE(Sampled(*half, MakeTraceId(1, 0)));

  // 0.25 * 2^64 = 2^62.
  auto quarter = Make("traceidratio", "0.25");
  EXPECT_TRUE(Sampled(*quarter, MakeTraceId(1, (1ull << 62) - 1)));
  EXPECT_FALSE(Sampled(*quarter, MakeTraceId(1, 1ull << 62)));

  // 2^-64 * 2^64 = 1: only x = 0 is sampled.
  auto tiny = Make("traceidratio", "5.421010862427522e-20");
  EXPECT_TRUE(Sampled(*tiny, MakeTraceId(1, 0)));
  EXPECT_FALSE(Sampled(*tiny, MakeTraceId(1, 1)));
}

TEST(SamplerTraceIdRatio, IgnoresTheParent) {
  auto sampler = Make("traceidratio", "0.5");
  EXPECT_TRUE(Sampled(*sampler, MakeTraceId(1, 0), Parent(/*remote=*/true, /*sampled=*/false)));
  EXPECT_FALSE(
      Sampled(*sampler, MakeTraceId(1, ~0ull), Parent(/*remote=*/false, /*sampled=*/true)));
}

// ---- parentbased_* ----

struct ParentCase {
  bool remote;
  bool sampled;
};

constexpr ParentCase kParentCases[] = {
    {/*remote=*/true, /*sampled=*/true},
    {/*remote=*/true, /*sampled=*/false},
    {/*remote=*/false, /*sampled=*/true},
    {/*remote=*/false, /*sampled=*/false},
};

// Trace ids at both extremes of the ratio sampler's range, so a parent decision cannot be
// mistaken for the root sampler's.
const TraceId kLowId = MakeTraceId(5, 0);
const TraceId kHighId = MakeTraceId(5, ~0ull);

void ExpectFollowsParent(const Sampler& sampler) {
  for (const ParentCase& c : kParentCases) {
    SCOPED_TRACE(testing::Message()
                 << sampler.Description() << " remote=" << c.remote << " sampled=" << c.sampled);
    EXPECT_EQ(Sampled(sampler, kLowId, Parent(c.remote, c.sampled)), c.sampled);
    EXPECT_EQ(Sampled(sampler, kHighId, Parent(c.remote, c.sampled)), c.sampled);
  }
}

TEST(SamplerParentBased, AlwaysOnFollowsEveryParentAndSamplesRoots) {
  auto sampler = Make("parentbased_always_on");
  EXPECT_EQ(sampler->Description(), "ParentBased{root:AlwaysOnSampler}");
  ExpectFollowsParent(*sampler);
  EXPECT_TRUE(Sampled(*sampler, kLowId));
  EXPECT_TRUE(Sampled(*sampler, kHighId));
}

TEST(SamplerParentBased, AlwaysOffFollowsEveryParentAndDropsRoots) {
  auto sampler = Make("parentbased_always_off");
  EXPECT_EQ(sampler->Description(), "ParentBased{root:AlwaysOffSampler}");
  ExpectFollowsParent(*sampler);
  EXPECT_FALSE(Sampled(*sampler, kLowId));
  EXPECT_FALSE(Sampled(*sampler, kHighId));
}

TEST(SamplerParentBased, TraceIdRatioFollowsEveryParentAndAppliesTheRatioToRoots) {
  auto sampler = Make("parentbased_traceidratio", "0.25");
  EXPECT_EQ(sampler->Description(), "ParentBased{root:TraceIdRatioBased{0.250000}}");
  ExpectFollowsParent(*sampler);
  EXPECT_TRUE(Sampled(*sampler, kLowId));
  EXPECT_FALSE(Sampled(*sampler, kHighId));
}

TEST(SamplerParentBased, InvalidParentIsTreatedAsNoParent) {
  auto sampler = Make("parentbased_always_off");
  SpanContext invalid;
  invalid.trace_flags = 0x01;
  EXPECT_FALSE(Sampled(*sampler, kLowId, invalid));
}

// ---- configuration ----

TEST(SamplerConfigFromEnv, UnsetMeansParentBasedAlwaysOn) {
  SamplerConfig config = SamplerConfigFromEnv(FakeEnv({}));
  EXPECT_EQ(config.name, "parentbased_always_on");
  EXPECT_EQ(config.arg, std::nullopt);
  EXPECT_EQ(MakeSampler(config)->Description(), "ParentBased{root:AlwaysOnSampler}");
}

TEST(SamplerConfigFromEnv, EmptyMeansUnset) {
  SamplerConfig config =
      SamplerConfigFromEnv(FakeEnv({{"OTEL_TRACES_SAMPLER", ""}, {"OTEL_TRACES_SAMPLER_ARG", ""}}));
  EXPECT_EQ(config.name, "parentbased_always_on");
  EXPECT_EQ(config.arg, std::nullopt);
}

TEST(SamplerConfigFromEnv, NameIsCaseInsensitiveAndArgIsRead) {
  SamplerConfig config = SamplerConfigFromEnv(
      FakeEnv({{"OTEL_TRACES_SAMPLER", "TraceIdRatio"}, {"OTEL_TRACES_SAMPLER_ARG", "0.25"}}));
  EXPECT_EQ(config.name, "traceidratio");
  EXPECT_EQ(config.arg, "0.25");
  EXPECT_EQ(MakeSampler(config)->Description(), "TraceIdRatioBased{0.250000}");
}

TEST(SamplerFactory, BadNameThrowsNamingItAndTheValidNames) {
  EXPECT_EQ(InvalidArgumentMessage([] { Make("foo"); }),
            "OTEL_TRACES_SAMPLER 'foo' is not one of always_on, always_off, traceidratio, "
            "parentbased_always_on, parentbased_always_off, parentbased_traceidratio");
  EXPECT_NE(InvalidArgumentMessage([] { Make(""); }), "");
}

TEST(SamplerFactory, BadNameFromEnvThrows) {
  SamplerConfig config = SamplerConfigFromEnv(FakeEnv({{"OTEL_TRACES_SAMPLER", "Foo"}}));
  EXPECT_EQ(InvalidArgumentMessage([&] { MakeSampler(config); }),
            "OTEL_TRACES_SAMPLER 'foo' is not one of always_on, always_off, traceidratio, "
            "parentbased_always_on, parentbased_always_off, parentbased_traceidratio");
}

TEST(SamplerFactory, BadRatioArgThrowsNamingIt) {
  EXPECT_EQ(InvalidArgumentMessage([] { Make("traceidratio", "x"); }),
            "OTEL_TRACES_SAMPLER_ARG 'x' is not a number in [0, 1]");
  EXPECT_EQ(InvalidArgumentMessage([] { Make("parentbased_traceidratio", "1.5"); }),
            "OTEL_TRACES_SAMPLER_ARG '1.5' is not a number in [0, 1]");
  for (const char* bad : {"-0.1", "nan", "inf", "0.5x", "", "0x1"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(InvalidArgumentMessage([&] { Make("traceidratio", bad); }),
              std::string("OTEL_TRACES_SAMPLER_ARG '") + bad + "' is not a number in [0, 1]");
  }
}

TEST(SamplerFactory, RatioArgAcceptsSurroundingWhitespaceAndExponents) {
  EXPECT_EQ(Make("traceidratio", " 0.5 ")->Description(), "TraceIdRatioBased{0.500000}");
  EXPECT_EQ(Make("traceidratio", "1e-1")->Description(), "TraceIdRatioBased{0.100000}");
}

}  // namespace
}  // namespace traceproof
