#include "run/lifecycle.h"

#include <gtest/gtest.h>

#include <thread>

namespace traceproof {
namespace {

using std::chrono::milliseconds;

// A process under test that records what was done to it, in one log shared by several.
class FakeProcess final : public ProcessUnderTest {
 public:
  FakeProcess(std::string name, std::vector<std::string>& log)
      : name_(std::move(name)), log_(log) {}
  std::string_view Name() const noexcept override { return name_; }
  Status Start(milliseconds ready_timeout) noexcept override {
    log_.push_back("start " + name_);
    ready_timeout_ = ready_timeout;
    return fail_start_ ? Status::Error(fail_start_error_) : Status::Ok();
  }
  void Stop(milliseconds grace) noexcept override {
    log_.push_back("stop " + name_);
    grace_ = grace;
    if (stop_takes_.count() > 0) std::this_thread::sleep_for(std::min(stop_takes_, grace));
  }
  ProcessMetrics Metrics() const noexcept override { return {}; }
  std::filesystem::path LogPath() const noexcept override { return {}; }

  bool fail_start_ = false;
  std::string fail_start_error_;
  milliseconds stop_takes_{0};
  milliseconds ready_timeout_{0};
  milliseconds grace_{0};

 private:
  std::string name_;
  std::vector<std::string>& log_;
};

TEST(Lifecycle, StopsEverythingInReverseOrderOfStart) {
  std::vector<std::string> log;
  FakeProcess broker("broker", log), collector("collector", log);
  {
    Lifecycle lc;
    ASSERT_TRUE(lc.Start(
                      "sink",
                      [&] {
                        log.push_back("start sink");
                        return Status::Ok();
                      },
                      [&] { log.push_back("stop sink"); })
                    .ok());
    ASSERT_TRUE(lc.Start(broker, milliseconds(100), milliseconds(200)).ok());
    ASSERT_TRUE(lc.Start(collector, milliseconds(300), milliseconds(400)).ok());
    lc.Push("services", [&] { log.push_back("stop services"); });
    EXPECT_EQ(lc.RunningNames(),
              (std::vector<std::string>{"sink", "broker", "collector", "services"}));
  }  // the destructor unwinds
  EXPECT_EQ(log, (std::vector<std::string>{"start sink", "start broker", "start collector",
                                           "stop services", "stop collector", "stop broker",
                                           "stop sink"}));
  EXPECT_EQ(collector.ready_timeout_, milliseconds(300));
  EXPECT_EQ(collector.grace_, milliseconds(400));
  EXPECT_EQ(broker.grace_, milliseconds(200));
}

TEST(Lifecycle, AStartThatFailsMidwayStopsOnlyWhatStartedAndSaysWhy) {
  std::vector<std::string> log;
  FakeProcess broker("broker", log), collector("collector", log), app("app", log);
  collector.fail_start_ = true;
  collector.fail_start_error_ = "collector exited with status 1: bad config";
  Lifecycle lc;
  ASSERT_TRUE(lc.Start(broker, milliseconds(100), milliseconds(100)).ok());
  const Status s = lc.Start(collector, milliseconds(100), milliseconds(100));
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.error, "collector exited with status 1: bad config");
  EXPECT_FALSE(lc.Running("collector"));
  lc.StopAll();
  EXPECT_EQ(log, (std::vector<std::string>{"start broker", "start collector", "stop broker"}));
}

TEST(Lifecycle, AFailedStartWithoutAReasonIsNamed) {
  std::vector<std::string> log;
  FakeProcess app("checkout-app", log);
  app.fail_start_ = true;
  Lifecycle lc;
  EXPECT_EQ(lc.Start(app, milliseconds(1), milliseconds(1)).error, "checkout-app did not start");
}

TEST(Lifecycle, StopThroughStopsTheTopDownToTheNamedEntryAndKeepsTheRest) {
  std::vector<std::string> log;
  Lifecycle lc;
  for (const char* name : {"sink", "collector", "broker", "services"})
    lc.Push(name, [&log, name] { log.push_back(std::string("stop ") + name); });
  EXPECT_FALSE(lc.StopThrough("jaeger"));
  EXPECT_TRUE(log.empty());
  EXPECT_TRUE(lc.StopThrough("services"));
  EXPECT_EQ(log, (std::vector<std::string>{"stop services"}));
  EXPECT_TRUE(lc.StopThrough("collector"));
  EXPECT_EQ(log, (std::vector<std::string>{"stop services", "stop broker", "stop collector"}));
  EXPECT_EQ(lc.RunningNames(), (std::vector<std::string>{"sink"}));
  lc.StopAll();
  lc.StopAll();  // idempotent: nothing stops twice
  EXPECT_EQ(log.size(), 4u);
  EXPECT_EQ(log.back(), "stop sink");
}

TEST(Lifecycle, ASlowStopStillLetsTheOthersStopAndIsReported) {
  std::vector<std::string> log, lines;
  FakeProcess slow("collector", log), broker("broker", log);
  slow.stop_takes_ = milliseconds(1100);
  Lifecycle lc([&](const std::string& line) { lines.push_back(line); });
  ASSERT_TRUE(lc.Start(broker, milliseconds(1), milliseconds(50)).ok());
  ASSERT_TRUE(lc.Start(slow, milliseconds(1), milliseconds(5000)).ok());
  lc.StopAll();
  EXPECT_EQ(log, (std::vector<std::string>{"start broker", "start collector", "stop collector",
                                           "stop broker"}));
  ASSERT_EQ(lines.size(), 1u) << "only the slow stop is reported";
  EXPECT_EQ(lines[0].rfind("stop: collector took 1.", 0), 0u) << lines[0];
}

TEST(Lifecycle, AStopThatReentersTheStackRunsOnce) {
  int stops = 0;
  Lifecycle lc;
  lc.Push("a", [&] { ++stops; });
  lc.Push("b", [&] {
    ++stops;
    lc.StopAll();  // e.g. a signal path that unwinds from inside a stop
  });
  lc.StopAll();
  EXPECT_EQ(stops, 2);
  EXPECT_TRUE(lc.RunningNames().empty());
}

}  // namespace
}  // namespace traceproof
