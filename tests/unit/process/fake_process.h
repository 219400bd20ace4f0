// A ProcessUnderTest that runs nothing, for tests of what composes processes (the run's
// lifecycle): it records every call in a log that several fakes can share (so a test sees the
// order across them), can fail its start, and can be slow to start or to stop (a stop slower
// than its grace is cut short at the grace and counted as killed, as SIGKILL would). Not
// thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "process/process_under_test.h"

namespace traceproof {

struct FakeProcessOptions {
  std::string name = "fake";
  std::string start_error;                   // non-empty: Start fails with it
  std::chrono::milliseconds start_delay{0};  // longer than the ready timeout: not ready in time
  std::chrono::milliseconds stop_delay{0};   // a graceful stop takes this long
  std::filesystem::path log_path;
};

class FakeProcess final : public ProcessUnderTest {
 public:
  // `calls` (may be null) receives "start NAME", "stop NAME", "killed NAME".
  explicit FakeProcess(FakeProcessOptions options, std::vector<std::string>* calls = nullptr)
      : options_(std::move(options)), calls_(calls) {}

  std::string_view Name() const noexcept override { return options_.name; }

  Status Start(std::chrono::milliseconds ready_timeout) noexcept override {
    Record("start");
    ++starts_;
    last_ready_timeout_ = ready_timeout;
    std::this_thread::sleep_for(std::min(options_.start_delay, ready_timeout));
    if (!options_.start_error.empty()) return Status::Error(options_.start_error);
    if (options_.start_delay > ready_timeout)
      return Status::Error(options_.name + " was not ready within " +
                           std::to_string(ready_timeout.count()) + " ms");
    running_ = true;
    started_at_ = std::chrono::steady_clock::now();
    return Status::Ok();
  }

  void Stop(std::chrono::milliseconds grace) noexcept override {
    if (!running_) return;
    Record("stop");
    ++stops_;
    last_grace_ = grace;
    std::this_thread::sleep_for(std::min(options_.stop_delay, grace));
    if (options_.stop_delay > grace) {
      Record("killed");
      killed_ = true;
    }
    wall_seconds_ +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at_).count();
    running_ = false;
  }

  ProcessMetrics Metrics() const noexcept override {
    ProcessMetrics m;
    m.wall_seconds = wall_seconds_;
    return m;
  }
  std::filesystem::path LogPath() const noexcept override { return options_.log_path; }

  bool running() const { return running_; }
  bool killed() const { return killed_; }
  int starts() const { return starts_; }
  int stops() const { return stops_; }
  std::chrono::milliseconds last_ready_timeout() const { return last_ready_timeout_; }
  std::chrono::milliseconds last_grace() const { return last_grace_; }

 private:
  void Record(const char* what) {
    if (calls_) calls_->push_back(std::string(what) + " " + options_.name);
  }

  FakeProcessOptions options_;
  std::vector<std::string>* calls_;
  bool running_ = false;
  bool killed_ = false;
  int starts_ = 0;
  int stops_ = 0;
  std::chrono::milliseconds last_ready_timeout_{0};
  std::chrono::milliseconds last_grace_{0};
  std::chrono::steady_clock::time_point started_at_;
  double wall_seconds_ = 0;
};

}  // namespace traceproof
