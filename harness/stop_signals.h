// SIGINT and SIGTERM as data, for the long-running subcommands (sink, serve, run, broker):
// blocked in the calling thread before any worker thread exists, so every thread created
// afterwards inherits the mask and only a sigwait/sigtimedwait on the returned set sees them.
// A stop then becomes an orderly shutdown (flush, report) instead of an interrupted syscall
// somewhere in a receiver thread.
#pragma once

#include <signal.h>

namespace traceproof {

inline sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

}  // namespace traceproof
