#include "run/checks_so_far.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "checks/comparison.h"
#include "test_requests.h"

namespace traceproof {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// What a check was shown, for the test to read back.
struct Seen {
  std::set<std::uint64_t> requests;
  std::size_t truth_spans = 0;
  std::size_t traces = 0;
  int runs = 0;
};

class SpyCheck final : public Check {
 public:
  SpyCheck(std::shared_ptr<Seen> seen, bool pass) : seen_(std::move(seen)), pass_(pass) {}
  // Counts the traces it is fed.
  struct Count final : TraceTally {
    void Add(const Trace&) override { ++traces; }
    std::size_t traces = 0;
  };
  std::unique_ptr<TraceTally> NewTally(const TallyContext&) const override {
    return std::make_unique<Count>();
  }
  CheckResult Judge(const TraceTally& tally, const RunData& data) const override {
    ++seen_->runs;
    seen_->requests.clear();
    for (const auto& s : data.truth) seen_->requests.insert(s.request_id);
    seen_->truth_spans = data.truth.size();
    seen_->traces = static_cast<const Count&>(tally).traces;
    CheckResult r;
    r.passed = pass_;
    return r;
  }

 private:
  std::shared_ptr<Seen> seen_;
  bool pass_;
};

constexpr std::uint64_t kUnix0 = 1'700'000'000'000'000'000ull;

GroundTruthSpan TruthSpan(std::uint64_t request, int trace, int span, int parent,
                          std::uint64_t start_unix_ns) {
  GroundTruthSpan s;
  s.request_id = request;
  s.trace_id = TraceId::FromBytes(testing::TraceIdBytes(trace));
  s.span_id = SpanId::FromBytes(testing::SpanIdBytes(span));
  if (parent) {
    s.parent_span_id = SpanId::FromBytes(testing::SpanIdBytes(parent));
    s.expected_parent_span_id = s.parent_span_id;
  }
  s.start_unix_ns = start_unix_ns;
  s.end_unix_ns = start_unix_ns + 1'000'000;
  s.sampled = s.exported = true;
  return s;
}

struct Fixture {
  GroundTruthRecorder truth;
  TraceStore store;
  std::shared_ptr<Seen> structure = std::make_shared<Seen>();
  bool structure_passes;

  explicit Fixture(bool passes) : structure_passes(passes) {}
  ChecksSoFarSampler Sampler(ChecksSoFarOptions options = {}) {
    std::vector<SampledCheck> checks;
    checks.push_back({"structure", std::make_unique<SpyCheck>(structure, structure_passes)});
    return ChecksSoFarSampler(std::move(checks), HeadSamplingSpec{}, truth, store, options);
  }
};

TEST(ChecksSoFar, JudgesOnlyRequestsThatStartedInTheWindowAndHaveSettled) {
  Fixture f(/*structure_passes=*/false);
  ChecksSoFarSampler sampler = f.Sampler();
  const Clock::time_point t0 = Clock::now();
  auto at = [&](int s) { return t0 + seconds(s); };
  auto unix_at = [&](int s) { return kUnix0 + static_cast<std::uint64_t>(s) * 1'000'000'000; };

  EXPECT_FALSE(sampler.Tick(at(0), unix_at(0)));
  // Request 1 starts in the window; its spans reach the sink. Request 2's root started before
  // the window opened (its early spans would be missing).
  f.truth.Record(TruthSpan(1, 1, 2, 1, unix_at(0) + 200'000'000));
  f.truth.Record(TruthSpan(1, 1, 1, 0, unix_at(0) + 100'000'000));
  f.store.Consume(testing::MakeBatch({{1, 1, 0}, {1, 2, 1}}));
  f.truth.Record(TruthSpan(2, 2, 3, 0, unix_at(0) - 500'000'000));
  EXPECT_FALSE(sampler.Tick(at(1), unix_at(1)));
  EXPECT_FALSE(sampler.Tick(at(2), unix_at(2)));
  EXPECT_FALSE(sampler.Tick(at(3), unix_at(3))) << "the look-back window is not full yet";
  // Request 3 is still going (recorded within the last `settle`).
  f.truth.Record(TruthSpan(3, 3, 4, 0, unix_at(3) + 100'000'000));

  const auto look = sampler.Tick(at(4), unix_at(4));
  ASSERT_TRUE(look);
  EXPECT_EQ(look->requests, 1u);
  EXPECT_EQ(f.structure->requests, std::set<std::uint64_t>{1});
  EXPECT_EQ(f.structure->truth_spans, 2u);
  EXPECT_EQ(f.structure->traces, 1u) << "the sink's trace for request 1, though still open";
  EXPECT_EQ(look->failing, std::vector<std::string>{"structure"});

  EXPECT_FALSE(sampler.Tick(at(5), unix_at(5))) << "looks are `every` apart";
  // By 6 s request 3 has settled; request 1 started before the window (2 s) and is left out.
  const auto next = sampler.Tick(at(6), unix_at(6));
  ASSERT_TRUE(next);
  EXPECT_EQ(f.structure->requests, std::set<std::uint64_t>{3});
  EXPECT_EQ(f.structure->traces, 0u) << "request 3's spans never reached the sink";
}

TEST(ChecksSoFar, SamplesAtMostMaxRequestsAndPassesWhenTheChecksDo) {
  Fixture f(/*structure_passes=*/true);
  ChecksSoFarOptions options;
  options.max_requests = 3;
  ChecksSoFarSampler sampler = f.Sampler(options);
  const Clock::time_point t0 = Clock::now();
  sampler.Tick(t0, kUnix0);
  for (int r = 1; r <= 10; ++r) f.truth.Record(TruthSpan(r, r, r, 0, kUnix0 + 1000 * r));
  for (int s = 1; s < 4; ++s) sampler.Tick(t0 + seconds(s), kUnix0 + s * 1'000'000'000ull);
  const auto look = sampler.Tick(t0 + seconds(4), kUnix0 + 4'000'000'000ull);
  ASSERT_TRUE(look);
  EXPECT_EQ(look->requests, 3u);
  EXPECT_EQ(f.structure->requests.size(), 3u);
  EXPECT_TRUE(look->failing.empty());
}

TEST(ChecksSoFar, JudgesOnlyTheChecksWhoseFailureOnASampleFailsTheRun) {
  Scenario scenario;
  for (const char* entry : {"structure: { select: span, count: \"== 0\" }", "throughput: {}",
                            "latency: { p99: { "
                            "select: span, max: 1s } }",
                            "hygiene: {}", "structure: { select: span }"}) {
    scenario.checks.push_back(ParseCheckSpec(YAML::Load(entry), "t.yaml"));
  }
  const std::vector<SampledCheck> checks = ChecksSoundOnSample(scenario);
  std::vector<std::string> kinds;
  for (const SampledCheck& c : checks) {
    EXPECT_NE(c.check, nullptr);
    kinds.push_back(c.kind);
  }
  // throughput and latency are never; a span count with a lower bound (">= 1") is not either.
  EXPECT_EQ(kinds, (std::vector<std::string>{"structure", "hygiene"}));
}

TEST(ChecksSoFar, OnlyUpperBoundsOnCountsAreSoundOnASample) {
  auto count = [](const char* text) { return ParseComparison(YAML::Node(text), "t.yaml"); };
  EXPECT_TRUE(count("== 0").UpperBoundOnCount());
  EXPECT_TRUE(count("<= 3").UpperBoundOnCount());
  EXPECT_TRUE(count("< 3").UpperBoundOnCount());
  EXPECT_FALSE(count(">= 20").UpperBoundOnCount()) << "a sample holds fewer than the run";
  EXPECT_FALSE(count("== 5").UpperBoundOnCount());
  EXPECT_FALSE(count("< 5%").UpperBoundOnCount()) << "a share can differ either way";
  EXPECT_FALSE(count("<= 800ms").UpperBoundOnCount());
}

}  // namespace
}  // namespace traceproof
