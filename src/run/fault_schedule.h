// Faults a run injects into its processes under test at a time into the load: `collector: kill`
// (and its restart after a pause), `broker: restart`. Each is an action due at an offset from
// the start of the load phases; the run thread ticks the schedule while the load goes on. An
// action that blocks for seconds (a broker restart waits until AMQP is accepted again) runs on a
// thread of its own, one such action at a time, so the load and the progress line never stall;
// later actions wait for it. Actions say what they did in the run's log themselves.
// Not thread-safe: Tick and Join from one thread (the run's); background actions run on the
// schedule's own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "process/process_under_test.h"

namespace traceproof {

struct TimedFault {
  std::chrono::nanoseconds at{0};  // into the load
  // Called with the time into the load when it is due; an error is the run's environment
  // failure when `fatal` (the broker did not come back), else only the action's to report.
  std::function<Status(std::chrono::nanoseconds load_elapsed)> action;
  bool background = false;  // blocks for long: run it on the schedule's thread
  bool fatal = false;
};

class FaultSchedule {
 public:
  explicit FaultSchedule(std::vector<TimedFault> faults);  // any order; run by `at`
  ~FaultSchedule();                                        // joins a background action
  FaultSchedule(const FaultSchedule&) = delete;
  FaultSchedule& operator=(const FaultSchedule&) = delete;

  // Runs every action due by `load_elapsed` that is not waiting behind a background one.
  void Tick(std::chrono::nanoseconds load_elapsed);
  // Waits for a background action under way; the first error of a fatal action, if any.
  std::optional<std::string> Join();
  std::size_t pending() const { return faults_.size() - next_; }

 private:
  std::vector<TimedFault> faults_;  // by `at`, stable
  std::size_t next_ = 0;
  std::thread background_;
  std::atomic<bool> background_busy_{false};
  std::optional<std::string> fatal_error_;  // written by the background thread before busy=false
};

}  // namespace traceproof
