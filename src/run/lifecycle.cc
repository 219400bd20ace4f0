#include "run/lifecycle.h"

#include <fmt/format.h>

#include <algorithm>

namespace traceproof {

Status Lifecycle::Start(std::string name, const std::function<Status()>& start, StopFn stop) {
  Status status = start();
  if (!status.ok()) return status;
  Push(std::move(name), std::move(stop));
  return status;
}

Status Lifecycle::Start(ProcessUnderTest& process, std::chrono::milliseconds ready_timeout,
                        std::chrono::milliseconds grace) {
  Status status = process.Start(ready_timeout);
  if (!status.ok()) {
    if (status.error.empty()) status.error = std::string(process.Name()) + " did not start";
    return status;
  }
  Push(std::string(process.Name()), [&process, grace] { process.Stop(grace); });
  return status;
}

void Lifecycle::Push(std::string name, StopFn stop) {
  stack_.push_back({std::move(name), std::move(stop)});
}

bool Lifecycle::StopThrough(std::string_view name) {
  const auto it =
      std::find_if(stack_.rbegin(), stack_.rend(), [&](const Entry& e) { return e.name == name; });
  if (it == stack_.rend()) return false;
  const std::size_t keep = static_cast<std::size_t>(stack_.rend() - it) - 1;
  while (stack_.size() > keep) StopTop();
  return true;
}

void Lifecycle::StopAll() {
  while (!stack_.empty()) StopTop();
}

void Lifecycle::StopTop() {
  // Popped before it runs, so a stop that re-enters the stack (StopAll) never runs twice.
  Entry e = std::move(stack_.back());
  stack_.pop_back();
  const auto begin = std::chrono::steady_clock::now();
  if (e.stop) e.stop();
  const double took_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  if (log_ && took_s >= 1.0) log_(fmt::format("stop: {} took {:.1f} s", e.name, took_s));
}

bool Lifecycle::Running(std::string_view name) const {
  return std::any_of(stack_.begin(), stack_.end(), [&](const Entry& e) { return e.name == name; });
}

std::vector<std::string> Lifecycle::RunningNames() const {
  std::vector<std::string> names;
  for (const Entry& e : stack_) names.push_back(e.name);
  return names;
}

}  // namespace traceproof
