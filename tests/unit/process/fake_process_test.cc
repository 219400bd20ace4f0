// The fake ProcessUnderTest keeps the promises the real ones do (conformance.h), and does what
// the lifecycle's tests need of it: a shared call log, a failing start, a slow stop cut at the
// grace.
#include "fake_process.h"

#include <gtest/gtest.h>

#include "conformance.h"

namespace traceproof {
namespace {

using std::chrono::milliseconds;

FakeProcessOptions Named(std::string name) {
  FakeProcessOptions o;
  o.name = std::move(name);
  return o;
}

TEST(FakeProcess, KeepsTheProcessUnderTestPromises) {
  FakeProcess ok(Named("broker"));
  ExpectStartsMeasuresAndStopsIdempotently(ok);
  FakeProcessOptions invalid = Named("collector");
  invalid.start_error = "config invalid";
  FakeProcess fails(invalid);
  ExpectAFailedStartSaysWhy(fails, milliseconds(100), "config invalid");
  FakeProcessOptions late = Named("app");
  late.start_delay = milliseconds(200);
  FakeProcess slow(late);
  ExpectAFailedStartSaysWhy(slow, milliseconds(50), "app was not ready within 50 ms");
}

TEST(FakeProcess, RecordsCallsInOrderAcrossFakes) {
  std::vector<std::string> calls;
  FakeProcessOptions failing = Named("b");
  failing.start_error = "no";
  FakeProcess a(Named("a"), &calls);
  FakeProcess b(failing, &calls);
  EXPECT_TRUE(a.Start(milliseconds(10)).ok());
  EXPECT_FALSE(b.Start(milliseconds(10)).ok());
  b.Stop(milliseconds(10));  // never started: not recorded
  a.Stop(milliseconds(10));
  EXPECT_EQ(calls, (std::vector<std::string>{"start a", "start b", "stop a"}));
  EXPECT_EQ(a.last_ready_timeout(), milliseconds(10));
}

TEST(FakeProcess, AStopSlowerThanItsGraceIsCutAtTheGraceAndCountedKilled) {
  std::vector<std::string> calls;
  FakeProcessOptions o = Named("slow");
  o.stop_delay = milliseconds(5000);
  FakeProcess p(o, &calls);
  ASSERT_TRUE(p.Start(milliseconds(10)).ok());
  const auto begin = std::chrono::steady_clock::now();
  p.Stop(milliseconds(100));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, milliseconds(1000));
  EXPECT_TRUE(p.killed());
  EXPECT_FALSE(p.running());
  EXPECT_EQ(calls, (std::vector<std::string>{"start slow", "stop slow", "killed slow"}));
}

}  // namespace
}  // namespace traceproof
