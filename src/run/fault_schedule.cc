#include "run/fault_schedule.h"

#include <algorithm>

namespace traceproof {

FaultSchedule::FaultSchedule(std::vector<TimedFault> faults) : faults_(std::move(faults)) {
  std::stable_sort(faults_.begin(), faults_.end(),
                   [](const TimedFault& a, const TimedFault& b) { return a.at < b.at; });
}

FaultSchedule::~FaultSchedule() { Join(); }

void FaultSchedule::Tick(std::chrono::nanoseconds load_elapsed) {
  while (next_ < faults_.size() && load_elapsed >= faults_[next_].at) {
    if (background_busy_.load()) return;  // in order: wait until the one under way is done
    if (background_.joinable()) background_.join();
    TimedFault& f = faults_[next_++];
    if (!f.background) {
      const Status s = f.action(load_elapsed);
      if (!s.ok() && f.fatal && !fatal_error_) fatal_error_ = s.error;
      continue;
    }
    background_busy_ = true;
    background_ = std::thread([this, &f, load_elapsed] {
      const Status s = f.action(load_elapsed);
      if (!s.ok() && f.fatal && !fatal_error_) fatal_error_ = s.error;
      background_busy_ = false;
    });
  }
}

std::optional<std::string> FaultSchedule::Join() {
  if (background_.joinable()) background_.join();
  return fatal_error_;
}

}  // namespace traceproof
