#include "load/synthetic_spans.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace traceproof {
namespace {

namespace pb = opentelemetry::proto::trace::v1;

// Span load must not trip the checks it is meant to feed: every child lies inside its parent's
// time range (the hygiene check's clock skew), and each trace is one chain of spans_per_trace.
TEST(SyntheticSpans, ChildrenLieInsideTheirParentsTimeAndEachTraceIsOneChain) {
  SyntheticSpanOptions o;
  o.spans = 40;
  o.spans_per_trace = 5;
  const auto request = MakeSyntheticRequest(o);
  std::map<std::string, const pb::Span*> by_id;
  std::map<std::string, int> per_trace, roots;
  for (const auto& rs : request.resource_spans())
    for (const auto& ss : rs.scope_spans())
      for (const pb::Span& s : ss.spans()) {
        by_id[s.span_id()] = &s;
        ++per_trace[s.trace_id()];
        if (s.parent_span_id().empty()) ++roots[s.trace_id()];
      }
  ASSERT_EQ(by_id.size(), 40u);
  EXPECT_EQ(per_trace.size(), 8u);
  for (const auto& [trace, n] : per_trace) {
    EXPECT_EQ(n, 5);
    EXPECT_EQ(roots[trace], 1);
  }
  int children = 0;
  for (const auto& [id, s] : by_id) {
    if (s->parent_span_id().empty()) continue;
    const auto parent = by_id.find(s->parent_span_id());
    ASSERT_NE(parent, by_id.end());
    EXPECT_GE(s->start_time_unix_nano(), parent->second->start_time_unix_nano());
    EXPECT_LE(s->end_time_unix_nano(), parent->second->end_time_unix_nano());
    EXPECT_LT(s->start_time_unix_nano(), s->end_time_unix_nano());
    ++children;
  }
  EXPECT_EQ(children, 32);
}

}  // namespace
}  // namespace traceproof
