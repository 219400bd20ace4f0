// The figures a benchmark hands `traceproof bench all`: each a measured value beside its peer
// in the same run, the ratio, and the goal it is held to (issue 17's table), written as JSON
// (`--figures-json FILE`, hidden) so `bench all` can run every bench as its own process (a
// bench measures this process's CPU and RSS; one must not disturb the next) and print one
// table. Plain data and functions; one writer.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace traceproof {

struct BenchFigure {
  std::string figure;  // "bench tracer: ns/span"
  double value = 0;
  std::string unit;  // "ns/span", "spans/s per sink core", "x"
  std::string peer;  // "" for a figure without one
  double peer_value = 0;
  // What the goal compares: value / peer_value (or its inverse when lower is better), or the
  // value itself for an absolute goal.
  double ratio = 0;
  std::string goal;         // "≥ 20x the peer", "≤ 250 ns"
  std::optional<bool> met;  // nullopt: not measured (the peer is missing, say why in `note`)
  std::string note;
};

// Where a bench writes its figures (empty: nowhere); the option is hidden from --help.
void AddFiguresOption(CLI::App& cmd, std::string& path);

// False when `path` is set and cannot be written; nothing to do for an empty path.
bool WriteFigures(const std::string& path, const std::vector<BenchFigure>& figures);

// The figures a bench wrote; nullopt with `error` when the file is missing or not ours.
std::optional<std::vector<BenchFigure>> ReadFigures(const std::string& path, std::string& error);

}  // namespace traceproof
