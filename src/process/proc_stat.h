// What /proc says a running process costs: CPU seconds and resident memory, of one process or
// of every process in a group (RabbitMQ is a script, beam.smp and helpers). For the metrics of
// processes under test while they run; a finished child's CPU comes from wait4 instead
// (ChildExit). Zero for a process that is gone. Plain functions: thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace traceproof {

double ProcessCpuSeconds(pid_t pid);  // user + system
std::uint64_t ProcessRssBytes(pid_t pid);
// Summed over the live members of process group `pgid`.
double GroupCpuSeconds(pid_t pgid);
std::uint64_t GroupRssBytes(pid_t pgid);

}  // namespace traceproof
