#include "run/fault_schedule.h"

#include <gtest/gtest.h>

#include <future>
#include <mutex>

namespace traceproof {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

TEST(FaultSchedule, RunsEachActionOnceWhenDueInOrderOfTime) {
  std::vector<std::string> done;
  std::vector<TimedFault> faults;
  auto record = [&](std::string what) {
    return [&done, what](nanoseconds) {
      done.push_back(what);
      return Status::Ok();
    };
  };
  faults.push_back({seconds(6), record("restart collector")});
  faults.push_back({seconds(5), record("kill collector")});
  FaultSchedule schedule(std::move(faults));
  schedule.Tick(seconds(4));
  EXPECT_TRUE(done.empty());
  schedule.Tick(milliseconds(5500));
  EXPECT_EQ(done, std::vector<std::string>{"kill collector"});
  schedule.Tick(seconds(7));
  schedule.Tick(seconds(8));
  EXPECT_EQ(done, (std::vector<std::string>{"kill collector", "restart collector"}));
  EXPECT_EQ(schedule.pending(), 0u);
}

TEST(FaultSchedule, ALateTickRunsEveryOverdueActionAndPassesTheTimeItRan) {
  std::vector<nanoseconds> when;
  std::vector<TimedFault> faults;
  for (int i = 1; i <= 3; ++i)
    faults.push_back({seconds(i), [&](nanoseconds t) {
                        when.push_back(t);
                        return Status::Ok();
                      }});
  FaultSchedule schedule(std::move(faults));
  schedule.Tick(seconds(10));
  EXPECT_EQ(when, (std::vector<nanoseconds>{seconds(10), seconds(10), seconds(10)}));
}

TEST(FaultSchedule, ABackgroundActionDoesNotBlockTheTickAndLaterActionsWaitForIt) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::mutex mu;
  std::vector<std::string> done;
  std::vector<TimedFault> faults;
  faults.push_back({seconds(1),
                    [&](nanoseconds) {
                      released.wait();  // a broker restart that takes a while
                      std::lock_guard lock(mu);
                      done.push_back("broker restarted");
                      return Status::Ok();
                    },
                    /*background=*/true});
  faults.push_back({seconds(2), [&](nanoseconds) {
                      std::lock_guard lock(mu);
                      done.push_back("second restart");
                      return Status::Ok();
                    }});
  FaultSchedule schedule(std::move(faults));
  schedule.Tick(seconds(3));  // returns although the first action is still under way
  {
    std::lock_guard lock(mu);
    EXPECT_TRUE(done.empty());
  }
  EXPECT_EQ(schedule.pending(), 1u) << "the second waits behind the first";
  release.set_value();
  EXPECT_EQ(schedule.Join(), std::nullopt);
  schedule.Tick(seconds(3));
  EXPECT_EQ(done, (std::vector<std::string>{"broker restarted", "second restart"}));
}

TEST(FaultSchedule, OnlyAFatalActionsErrorIsTheRunsError) {
  std::vector<TimedFault> faults;
  faults.push_back(
      {seconds(1), [](nanoseconds) { return Status::Error("collector did not restart"); }});
  faults.push_back({seconds(2),
                    [](nanoseconds) { return Status::Error("broker did not come back"); },
                    /*background=*/true, /*fatal=*/true});
  FaultSchedule schedule(std::move(faults));
  schedule.Tick(seconds(1));
  EXPECT_EQ(schedule.Join(), std::nullopt);
  schedule.Tick(seconds(2));
  EXPECT_EQ(schedule.Join(), std::optional<std::string>("broker did not come back"));
}

}  // namespace
}  // namespace traceproof
