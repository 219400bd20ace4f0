// What `traceproof compare` knows of one recorded run: read once from a results folder
// (summary.json for the verdict, checks, load and span counts; run_data.json for the head
// sampler; series.jsonl for the warm-up's length; traces.jsonl[.gz] for the traces after the
// warm-up, update records folded into their trace) and kept
// compact: per route (the root span's service, name and kind, e.g. `gateway POST /checkout
// [SERVER]`), the trace shape as edges between operations with their span counts, and each
// operation's span durations with their start times for the significance test. Not the spans
// themselves: a long run's profile stays a few bytes per span. Pure data plus its reader;
// thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "compare/latency_shift.h"

namespace traceproof {

struct CheckVerdict {
  std::string kind;
  std::string label;
  bool passed = false;
  std::string reason;
};

struct RouteProfile {
  std::string route;
  std::uint64_t traces = 0;
  // "parent → child" (operations as RunProfile names them; "(root)" for the root) → spans of
  // that edge over all of the route's traces.
  std::map<std::string, std::uint64_t> edges;
  std::map<std::string, DurationSample> operations;  // operation → its spans' durations
  std::string slowest_trace_id;                      // hex, by root span duration
  std::int64_t slowest_ns = 0;
};

struct RunProfile {
  std::string dir;
  std::string scenario;
  std::string started_utc;
  bool passed = false;  // summary.json's verdict
  std::vector<CheckVerdict> checks;
  std::uint64_t requests_sent = 0;
  std::uint64_t request_errors = 0;  // connect, timeout, reset, other, and non-2xx answers
  std::uint64_t dropped_iterations = 0;
  double achieved_rate_per_s = 0;
  std::uint64_t spans_started = 0;    // ground truth (0 without services)
  std::uint64_t spans_delivered = 0;  // accepted by the sink
  std::uint64_t spans_lost = 0;       // dropped at any hop, or refused by the sink
  std::optional<double> head_sampler_ratio;
  // Warm-up (series.jsonl's warm-up rows): traces that start in the first warmup_s seconds
  // after the run's first span are left out, as the load figures leave them out.
  double warmup_s = 0;
  std::uint64_t warmup_traces = 0;
  std::uint64_t traces = 0;                // whole traces after warm-up (update records folded in)
  std::uint64_t traces_without_route = 0;  // no single root: judged by no route
  std::map<std::string, RouteProfile> routes;
};

// A span's operation as compare names it: `service name [KIND]`.
std::string OperationName(const std::string& service, const std::string& name,
                          const std::string& kind);

// nullopt with `error` naming the file (and field or line) that makes `dir` no results folder.
std::optional<RunProfile> ReadRunProfile(const std::filesystem::path& dir, std::string& error);

// The record of `trace_id` in dir's traces file, its update records folded in: for drawing
// the slowest trace. nullopt when it is not there.
std::optional<nlohmann::json> ReadTraceRecord(const std::filesystem::path& dir,
                                              const std::string& trace_id);

}  // namespace traceproof
