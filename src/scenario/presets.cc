#include "scenario/presets.h"

#include <filesystem>
#include <set>
#include <vector>

namespace traceproof::loader {

namespace {

namespace fs = std::filesystem;

// Where presets live: the source tree (builds and tests), then beside an installed binary.
std::vector<fs::path> PresetDirs() {
  std::vector<fs::path> dirs = {fs::path(TRACEPROOF_PRESETS_DIR)};
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(exe.parent_path().parent_path() / "mock_services" / "presets");
  return dirs;
}

std::vector<std::string> PresetNames() {
  std::set<std::string> names;
  for (const fs::path& dir : PresetDirs()) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".yaml") names.insert(entry.path().stem().string());
    }
  }
  return {names.begin(), names.end()};
}

}  // namespace

std::string PresetPath(ScenarioReader& r, const std::string& name, const Field& field) {
  if (name.find('/') == std::string::npos && !name.empty()) {
    for (const fs::path& dir : PresetDirs()) {
      const fs::path candidate = dir / (name + ".yaml");
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec)) return candidate.string();
    }
  }
  const std::vector<std::string> names = PresetNames();
  r.Fail(field, "unknown preset '" + name + "'; presets are: " +
                    (names.empty() ? "(none found)" : Join(names)) + DidYouMean(name, names) +
                    " (for your own services file write: services: { file: PATH })");
}

}  // namespace traceproof::loader
