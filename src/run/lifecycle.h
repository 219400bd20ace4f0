// The start stack of a run (ARCHITECTURE.md, "Lifecycle of traceproof run"): every component
// that started pushes how to stop it, and the stack stops them in reverse order, on success, on
// a start that fails midway, on Ctrl-C and when the run unwinds, so the runner composes the run
// and never remembers which flags say what is running. A drain may stop the top of the stack
// early (the services first, so they flush; then the Collector) with StopThrough; whatever is
// left is stopped by StopAll or the destructor. Each stop runs once and says how long it took.
// Not thread-safe: one owning thread (the run's).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "process/process_under_test.h"

namespace traceproof {

class Lifecycle {
 public:
  using StopFn = std::function<void()>;
  using LogFn = std::function<void(const std::string&)>;

  explicit Lifecycle(LogFn log = {}) : log_(std::move(log)) {}
  ~Lifecycle() { StopAll(); }
  Lifecycle(const Lifecycle&) = delete;
  Lifecycle& operator=(const Lifecycle&) = delete;

  // Runs `start`; only when it succeeds is `stop` pushed. The start's status is returned, its
  // error prefixed with `name` when the start did not say what failed.
  Status Start(std::string name, const std::function<Status()>& start, StopFn stop);
  // A process under test: started and ready within `ready_timeout`, stopped with `grace`.
  Status Start(ProcessUnderTest& process, std::chrono::milliseconds ready_timeout,
               std::chrono::milliseconds grace);
  // Something that is already running (started by a constructor, say).
  void Push(std::string name, StopFn stop);

  // Stops from the top of the stack down to and including the newest entry named `name`;
  // false (and nothing stopped) when no entry has that name.
  bool StopThrough(std::string_view name);
  // Stops everything still running, newest first. Idempotent.
  void StopAll();

  bool Running(std::string_view name) const;
  std::vector<std::string> RunningNames() const;  // oldest first

 private:
  struct Entry {
    std::string name;
    StopFn stop;
  };
  void StopTop();

  LogFn log_;
  std::vector<Entry> stack_;  // oldest first
};

}  // namespace traceproof
