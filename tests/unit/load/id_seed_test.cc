// Two senders must never send the same ids unless told to: each draws a seed of its own.
#include "load/id_seed.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "load/fresh_id_batch.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace traceproof {
namespace {

namespace pb_collector = opentelemetry::proto::collector::trace::v1;

constexpr std::uint64_t kSameMomentNs = 1'767'225'600'000'000'000ULL;

// Every trace id and span id a sender seeded with `seed` sends in three batches, the way
// RunSpanSender builds one connection's batch.
std::set<std::string> IdsSent(std::uint64_t seed) {
  SyntheticSpanOptions options;
  options.spans = 20;
  options.spans_per_trace = 5;
  options.attributes_per_span = 1;
  options.seed = StreamSeed(seed, 0);
  FreshIdBatch batch(options, StreamSeed(seed, 1));
  std::set<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    pb_collector::ExportTraceServiceRequest request;
    EXPECT_TRUE(request.ParseFromString(batch.Renew()));
    for (const auto& rs : request.resource_spans()) {
      for (const auto& ss : rs.scope_spans()) {
        for (const auto& span : ss.spans()) {
          ids.insert("t" + span.trace_id());
          ids.insert("s" + span.trace_id() + span.span_id());
        }
      }
    }
  }
  return ids;
}

bool Disjoint(const std::set<std::string>& a, const std::set<std::string>& b) {
  for (const auto& id : a) {
    if (b.count(id)) return false;
  }
  return true;
}

TEST(IdSeed, TwoSendersStartedInTheSameClockTickSendDisjointIds) {
  SeedSources same_moment = SystemSeedSources();
  same_moment.clock_ns = [] { return kSameMomentNs; };
  same_moment.pid = [] { return std::uint64_t{4242}; };  // even in one process
  const std::uint64_t a = DrawSeed(same_moment), b = DrawSeed(same_moment);
  ASSERT_NE(a, b);
  const auto ids_a = IdsSent(a), ids_b = IdsSent(b);
  EXPECT_EQ(ids_a.size(), 3u * 4u + 3u * 20u);  // 4 traces and 20 spans a batch, all distinct
  EXPECT_TRUE(Disjoint(ids_a, ids_b));
}

TEST(IdSeed, EverySourceSeparatesSendersOnItsOwn) {
  auto fixed = [](std::uint64_t entropy, std::uint64_t pid, std::uint64_t clock) {
    return SeedSources{.entropy = [=] { return entropy; },
                       .pid = [=] { return pid; },
                       .clock_ns = [=] { return clock; }};
  };
  const std::uint64_t base = DrawSeed(fixed(1, 100, kSameMomentNs));
  EXPECT_NE(base, DrawSeed(fixed(2, 100, kSameMomentNs)));      // entropy
  EXPECT_NE(base, DrawSeed(fixed(1, 101, kSameMomentNs)));      // a second process
  EXPECT_NE(base, DrawSeed(fixed(1, 100, kSameMomentNs + 1)));  // the next tick
  // The broken twin: identical sources give one seed, and one seed gives the same ids.
  EXPECT_EQ(base, DrawSeed(fixed(1, 100, kSameMomentNs)));
  EXPECT_EQ(IdsSent(base), IdsSent(base));
}

TEST(IdSeed, StreamsOfOneSeedDoNotRepeatEachOther) {
  std::set<std::uint64_t> seen;
  for (std::uint64_t seed : {1ULL, 2ULL}) {
    for (std::uint64_t stream = 0; stream < 100; ++stream) seen.insert(StreamSeed(seed, stream));
  }
  EXPECT_EQ(seen.size(), 200u);
}

}  // namespace
}  // namespace traceproof
