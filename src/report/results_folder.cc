#include "report/results_folder.h"

#include <fmt/format.h>
#include <zlib.h>

#include <fstream>

namespace traceproof {

namespace fs = std::filesystem;

std::optional<nlohmann::json> ReadJsonFile(const fs::path& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = fmt::format("cannot read {}", path.string());
    return std::nullopt;
  }
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    error = fmt::format("{}: not JSON ({})", path.string(), e.what());
    return std::nullopt;
  }
}

fs::path FindTracesFile(const fs::path& dir, std::string& error) {
  for (const char* name : {"traces.jsonl", "traces.jsonl.gz"})
    if (fs::exists(dir / name)) return dir / name;
  error = fmt::format(
      "{} holds no traces.jsonl or traces.jsonl.gz (the run used --traces none or --no-traces)",
      dir.string());
  return {};
}

bool ForEachLine(const fs::path& path, const LineVisitor& visit, std::string& error) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) {
    error = fmt::format("cannot read {}", path.string());
    return false;
  }
  std::string pending;
  char buf[1 << 16];
  std::uint64_t lines = 0;
  int n = 0;
  bool go_on = true;
  while (go_on && (n = gzread(f, buf, sizeof buf)) > 0) {
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t start = 0, nl;
    while (go_on && (nl = pending.find('\n', start)) != std::string::npos) {
      go_on = visit(std::string_view(pending).substr(start, nl - start), ++lines);
      start = nl + 1;
    }
    pending.erase(0, start);
  }
  const bool failed = go_on && n < 0;
  gzclose(f);
  if (failed) {
    error = fmt::format("{}: corrupt gzip data", path.string());
    return false;
  }
  if (go_on && !pending.empty()) visit(std::string_view(pending), ++lines);
  return true;
}

}  // namespace traceproof
