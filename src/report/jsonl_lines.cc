#include "report/jsonl_lines.h"

#include <zlib.h>

#include <memory>

namespace traceproof {

std::optional<std::uint64_t> ForEachJsonlLine(
    const std::filesystem::path& path,
    const std::function<void(std::string_view, std::uint64_t)>& visit, std::string& error) {
  const std::unique_ptr<gzFile_s, int (*)(gzFile)> f(gzopen(path.c_str(), "rb"), gzclose);
  if (!f) {
    error = "cannot read " + path.string();
    return std::nullopt;
  }
  std::string pending;
  char buf[1 << 16];
  std::uint64_t lines = 0;
  int n;
  while ((n = gzread(f.get(), buf, sizeof buf)) > 0) {
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t start = 0, nl;
    while ((nl = pending.find('\n', start)) != std::string::npos) {
      visit(std::string_view(pending).substr(start, nl - start), ++lines);
      start = nl + 1;
    }
    pending.erase(0, start);
  }
  if (n < 0) {
    error = path.string() + ": corrupt gzip data";
    return std::nullopt;
  }
  if (!pending.empty()) visit(std::string_view(pending), ++lines);
  return lines;
}

std::optional<std::filesystem::path> TracesFileIn(const std::filesystem::path& dir) {
  for (const char* name : {"traces.jsonl", "traces.jsonl.gz", "evidence.jsonl"})
    if (std::filesystem::exists(dir / name)) return dir / name;
  return std::nullopt;
}

}  // namespace traceproof
