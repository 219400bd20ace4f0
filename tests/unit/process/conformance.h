// What every ProcessUnderTest promises, whatever it runs, as checks a test applies to one: a
// start that works leaves it measurable and a stop is idempotent; a start that fails says why
// and leaves nothing to stop. Used on the fake and on the real implementations with stand-ins.
#pragma once

#include <gtest/gtest.h>

#include <thread>

#include "process/process_under_test.h"

namespace traceproof {

inline void ExpectStartsMeasuresAndStopsIdempotently(ProcessUnderTest& p) {
  EXPECT_FALSE(p.Name().empty());
  const Status started = p.Start(std::chrono::milliseconds(3000));
  ASSERT_TRUE(started.ok()) << started.error;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  p.Stop(std::chrono::milliseconds(2000));
  const ProcessMetrics after = p.Metrics();
  EXPECT_GE(after.wall_seconds, 0.05) << "it ran for 50 ms at least";
  EXPECT_GE(after.cpu_seconds, 0);
  p.Stop(std::chrono::milliseconds(2000));  // a second stop changes nothing
  EXPECT_EQ(p.Metrics().wall_seconds, after.wall_seconds);
}

inline void ExpectAFailedStartSaysWhy(ProcessUnderTest& p, std::chrono::milliseconds ready_timeout,
                                      const std::string& why) {
  const Status started = p.Start(ready_timeout);
  EXPECT_FALSE(started.ok());
  EXPECT_NE(started.error.find(why), std::string::npos) << started.error;
  p.Stop(std::chrono::milliseconds(100));  // nothing to stop, and no harm asking
  EXPECT_EQ(p.Metrics().wall_seconds, 0) << "a process that never started ran for a while";
}

}  // namespace traceproof
